package dev.specd.runtime;

import dev.specd.sampling.SamplingParams;

import java.util.List;

/**
 * One completion to generate.
 *
 * @param prompt    prompt tokens (BOS included when the model wants one)
 * @param maxTokens most tokens to generate
 * @param stop      OpenAI stop strings (not emitted)
 * @param ignoreEos keep generating past end-of-generation tokens (benchmarks)
 * @param speculation the pipeline's speculation with the request's overrides
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop,
                                boolean ignoreEos, SpeculationSettings speculation) {
    public GenerationRequest {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
        stop = List.copyOf(stop);
    }
}
