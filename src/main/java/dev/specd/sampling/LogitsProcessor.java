package dev.specd.sampling;

import java.util.Objects;

/**
 * Turns raw logits into the processed distribution a request samples from, as a pure function
 * (logits, params, history) &rarr; {@link Distribution}: no state, no randomness, and the input
 * array is never modified. Speculative sampling relies on that purity: the target's p and the
 * draft's q at each drafted position must be exactly the distributions plain decoding would have
 * sampled from, or the output distribution is no longer the target's.
 *
 * <p>The chain, in order:
 * <ol>
 *   <li>logit bias (OpenAI {@code logit_bias}: added to the logit);</li>
 *   <li>penalties over the history: repetition penalty (llama.cpp: divide positive logits,
 *       multiply non-positive ones), then {@code presence * [count > 0] + frequency * count} is
 *       subtracted;</li>
 *   <li>temperature 0: a point mass on the argmax, ties to the lowest token id; stop;</li>
 *   <li>top-k: the k best logits, ties to the lower token id;</li>
 *   <li>temperature and softmax over the survivors;</li>
 *   <li>top-p: the shortest prefix in rank order whose mass reaches {@code top_p};</li>
 *   <li>min-p: tokens with p &ge; {@code min_p} &middot; p_max;</li>
 *   <li>renormalise.</li>
 * </ol>
 * Temperature comes before top-p and min-p (as in vLLM and Hugging Face), so both act on the
 * tempered distribution; llama.cpp's default chain applies temperature last. Top-k is unaffected
 * by the difference.
 *
 * <p>Rank order is "higher logit first, lower token id on equal logits" throughout, so every
 * filter is deterministic under ties. Per row the cost is one pass over the vocabulary that finds
 * the best token and the tokens within e^-20 of it, then work on those alone: exp, top-k
 * selection, the top-p boundary (located by logit bins, only the boundary bin sorted), min-p. The
 * rest of the vocabulary is only counted, which bounds its mass; when that bound cannot decide the
 * top-p boundary, a deeper pass and, failing that, the exact pass over every token decide it, so
 * the result is always the one the chain above defines.
 *
 * <p>Token ids in the logit bias or history that lie outside {@code logits.length} are ignored:
 * the API layer validates ids against the served model, and a draft model's vocabulary may be
 * shorter than the target's.
 */
public final class LogitsProcessor {

    private LogitsProcessor() {
    }

    /** {@link #process(float[], SamplingParams, TokenCounts)} with no generated tokens yet. */
    public static Distribution process(float[] logits, SamplingParams params) {
        return process(logits, params, null);
    }

    /**
     * The processed distribution for the next token.
     *
     * @param logits  raw logits, one per vocabulary entry; {@code -Infinity} masks a token,
     *                NaN and {@code +Infinity} are rejected as engine faults
     * @param history the generated tokens so far, for penalties; {@code null} for none
     * @throws IllegalArgumentException for an empty or non-numeric logit vector, or when every
     *                                  token is masked
     */
    public static Distribution process(float[] logits, SamplingParams params, TokenCounts history) {
        return process(logits, params, history, new SamplingWorkspace());
    }

    /**
     * As {@link #process(float[], SamplingParams, TokenCounts)}, with scratch buffers reused from
     * the previous row: what a generation calls once per token ({@link Sampler#distribution} does).
     */
    public static Distribution process(float[] logits, SamplingParams params, TokenCounts history,
                                       SamplingWorkspace workspace) {
        Objects.requireNonNull(params, "params");
        float[] adjusted = needsAdjustment(params, history) ? adjust(logits, params, history, workspace) : logits;
        if (params.isGreedy()) {
            return Distribution.pointMass(adjusted.length, greedy(adjusted, workspace));
        }
        return Truncation.apply(adjusted, params, workspace);
    }

    /**
     * The greedy token: argmax of the biased and penalised logits, ties to the lowest id,
     * whatever the temperature in {@code params}. Allocates nothing when no bias or penalty
     * applies.
     */
    public static int greedyToken(float[] logits, SamplingParams params, TokenCounts history) {
        return greedyToken(logits, params, history, new SamplingWorkspace());
    }

    /** {@link #greedyToken(float[], SamplingParams, TokenCounts)} with a reused adjustment buffer. */
    public static int greedyToken(float[] logits, SamplingParams params, TokenCounts history, SamplingWorkspace workspace) {
        return argmax(needsAdjustment(params, history) ? adjust(logits, params, history, workspace) : logits);
    }

    /**
     * Steps 1 and 2 of the chain on a copy of {@code logits}: logit bias, then penalties. In
     * float arithmetic like the engine's logits; each adjusted logit is computed as
     * {@code (float) (biased' - (presence * [count > 0] + frequency * count))} where
     * {@code biased'} is the biased logit after the repetition penalty.
     */
    public static float[] adjustLogits(float[] logits, SamplingParams params, TokenCounts history) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits are empty");
        }
        return applyAdjustments(logits.clone(), params, history);
    }

    /** {@link #adjustLogits} into the workspace's buffer, valid until its next use. */
    private static float[] adjust(float[] logits, SamplingParams params, TokenCounts history, SamplingWorkspace ws) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits are empty");
        }
        return applyAdjustments(ws.copyForAdjustment(logits), params, history);
    }

    private static float[] applyAdjustments(float[] adjusted, SamplingParams params, TokenCounts history) {
        params.logitBias().forEach((token, bias) -> {
            if (token < adjusted.length) {
                adjusted[token] += bias;
            }
        });
        if (history != null && params.hasPenalties()) {
            history.forEach((token, count) -> {
                if (token < adjusted.length) {
                    adjusted[token] = penalise(adjusted[token], count, params);
                }
            });
        }
        return adjusted;
    }

    /** One token's penalties, in llama.cpp's order: repetition first, then frequency and presence. */
    static float penalise(float logit, int count, SamplingParams params) {
        float value = logit;
        double repetition = params.repetitionPenalty();
        if (repetition != 1.0) {
            // Dividing a negative logit would raise it, so CTRL/llama.cpp multiply those instead.
            value = (float) (value <= 0 ? value * repetition : value / repetition);
        }
        double subtract = params.frequencyPenalty() * count + (count > 0 ? params.presencePenalty() : 0.0);
        return (float) (value - subtract);
    }

    /** The argmax; by a scan that a later {@link Logprobs#maxProbability} can reuse, when the workspace shares them. */
    private static int greedy(float[] logits, SamplingWorkspace workspace) {
        if (!workspace.sharesScans()) return argmax(logits);
        workspace.scan.scan(logits, 1.0, RowScan.DEPTH);
        return workspace.scan.best;
    }

    /** Index of the largest logit, ties to the lowest index; validates the vector on the way. */
    static int argmax(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits are empty");
        }
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            // One comparison for almost every token; NaN fails it and is caught below.
            if (v <= bestValue) {
                continue;
            }
            if (v != v) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            bestValue = v;
            best = i;
        }
        if (bestValue == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logit of token " + best + " is +Infinity");
        }
        if (best < 0) {
            throw new IllegalArgumentException("every token is masked (all logits are -Infinity)");
        }
        return best;
    }

    private static boolean needsAdjustment(SamplingParams params, TokenCounts history) {
        return !params.logitBias().isEmpty() || (history != null && params.hasPenalties() && history.size() > 0);
    }
}
