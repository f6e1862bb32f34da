package dev.specd.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities for OpenAI's {@code logprobs} / {@code top_logprobs}.
 *
 * <p>These are the model's own log-probabilities: log-softmax of the raw logits, before logit
 * bias, penalties, temperature and truncation. That is what OpenAI documents ("the log
 * probability of this token") and what vLLM returns by default, and it stays finite for tokens
 * the filters removed. For the log-probability under the processed distribution, use
 * {@link Distribution#logProb(int)}.
 *
 * <p>Computed in double with the max-shift (log-sum-exp) so that logits in the thousands neither
 * overflow nor lose the small ones.
 */
public final class Logprobs {

    /** One token and its log-probability. */
    public record Entry(int token, double logprob) {
    }

    /** What one output position reports: the chosen token and the most likely alternatives. */
    public record Position(Entry chosen, List<Entry> top) {
        public Position {
            top = List.copyOf(top);
        }
    }

    /** Vocabulary size up to which {@link #maxProbability} sums every token: a pass of exp that costs little. */
    static final int EXACT_UP_TO = 4096;

    private Logprobs() {
    }

    /** log(sum_t exp(logits[t])), the log partition function of the model's distribution. */
    public static double logSumExp(float[] logits) {
        int best = LogitsProcessor.argmax(logits);
        double max = logits[best];
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The model's largest token probability, exp(max − logsumexp) at temperature 1. Vocabularies
     * up to {@value #EXACT_UP_TO} tokens get it exactly (to rounding); larger ones compute exp only
     * for the tokens within e^-20 of the best ({@link RowScan}) and count each token further down
     * as half the most it can weigh, which is off by at most V &middot; e^-20 / 2 relative (1.6e-4
     * with 152k tokens; on real rows, whose tail lies far below the cut, far less). Meant for a
     * draft model's confidence, once per drafted token, where a full log-sum-exp costs a
     * millisecond at 152k tokens; with {@link SamplingWorkspace#shareScansWithMaxProbability} it
     * reuses the scan that processed the same row for sampling.
     *
     * @throws IllegalArgumentException for NaN or +Infinity logits, or all of them masked
     */
    public static double maxProbability(float[] logits, SamplingWorkspace workspace) {
        RowScan scan = workspace.scan;
        // The scan that just processed this row for sampling serves, when it went deep enough.
        if (!scan.covers(logits, RowScan.DEPTH)) scan.scan(logits, 1.0, RowScan.DEPTH);
        double max = scan.max;
        double sum = 0;
        for (int j = 0; j < scan.count; j++) {
            sum += Math.exp(logits[scan.ids[j]] - max);
        }
        if (scan.complete()) {
            return 1 / sum;
        }
        if (logits.length <= EXACT_UP_TO) {
            return Math.exp(max - logSumExp(logits));
        }
        return 1 / (sum + scan.tailBound(1.0) / 2);
    }

    /** The log-softmax of {@code logits}, one entry per vocabulary token. */
    public static double[] logSoftmax(float[] logits) {
        double logZ = logSumExp(logits);
        double[] out = new double[logits.length];
        for (int t = 0; t < logits.length; t++) {
            out[t] = logits[t] - logZ;
        }
        return out;
    }

    /** log p(token) under the model; O(V) because it needs the partition function. */
    public static double logprob(float[] logits, int token) {
        checkToken(logits, token);
        return logits[token] - logSumExp(logits);
    }

    /**
     * The {@code n} most likely tokens under the model, most likely first, equal logits by lower
     * id. Masked ({@code -Infinity}) tokens are never listed, so fewer may come back.
     */
    public static List<Entry> top(float[] logits, int n) {
        return top(logits, n, logSumExp(logits));
    }

    /** The chosen token's entry and the top {@code n}, sharing one partition-function pass. */
    public static Position at(float[] logits, int chosenToken, int n) {
        checkToken(logits, chosenToken);
        double logZ = logSumExp(logits);
        return new Position(new Entry(chosenToken, logits[chosenToken] - logZ), top(logits, n, logZ));
    }

    private static List<Entry> top(float[] logits, int n, double logZ) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (n == 0) {
            return List.of();
        }
        long[] keys = RankedKeys.selectBest(logits, n);
        List<Entry> entries = new ArrayList<>(keys.length);
        for (long key : keys) {
            int token = RankedKeys.index(key);
            entries.add(new Entry(token, logits[token] - logZ));
        }
        return List.copyOf(entries);
    }

    private static void checkToken(float[] logits, int token) {
        if (token < 0 || token >= logits.length) {
            throw new IllegalArgumentException("token " + token + " outside vocabulary of " + logits.length);
        }
    }
}
