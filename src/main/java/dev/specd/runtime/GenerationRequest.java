package dev.specd.runtime;

import dev.specd.constrain.TokenConstraint;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;

import java.util.List;

/**
 * One completion to generate.
 *
 * @param prompt      prompt tokens (BOS included when the model wants one)
 * @param maxTokens   most tokens to generate
 * @param stop        OpenAI stop strings (not emitted)
 * @param ignoreEos   keep generating past end-of-generation tokens (benchmarks)
 * @param speculation the pipeline's speculation with the request's overrides
 * @param logprobs    {@link #NO_LOGPROBS}, or n &ge; 0: report each emitted token's log-probability and the n
 *                    most likely tokens at its position (a softmax over the vocabulary per token, so only on request)
 * @param constraint  null, or the grammar every generated token must keep to (structured output, forced
 *                    tool calls): every logits row — the target's and a draft model's — is masked by it
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop,
                                boolean ignoreEos, SpeculationSpec speculation, int logprobs,
                                TokenConstraint constraint) {

    public static final int NO_LOGPROBS = -1;

    public GenerationRequest {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
        if (logprobs < NO_LOGPROBS) throw new IllegalArgumentException("logprobs must be >= -1, got " + logprobs);
        stop = List.copyOf(stop);
    }

    /** An unconstrained request. */
    public GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop,
                             boolean ignoreEos, SpeculationSpec speculation, int logprobs) {
        this(prompt, sampling, maxTokens, stop, ignoreEos, speculation, logprobs, null);
    }

    /** A request without log-probabilities. */
    public GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop,
                             boolean ignoreEos, SpeculationSpec speculation) {
        this(prompt, sampling, maxTokens, stop, ignoreEos, speculation, NO_LOGPROBS);
    }

    public boolean wantsLogprobs() {
        return logprobs != NO_LOGPROBS;
    }

    /** The same request sampled with another seed (the choices of an {@code n} > 1 request). */
    public GenerationRequest withSampling(SamplingParams other) {
        return new GenerationRequest(prompt, other, maxTokens, stop, ignoreEos, speculation, logprobs, constraint);
    }

    /** The same request under a constraint. */
    public GenerationRequest withConstraint(TokenConstraint c) {
        return new GenerationRequest(prompt, sampling, maxTokens, stop, ignoreEos, speculation, logprobs, c);
    }
}
