/**
 * Logits to tokens, the way llama.cpp / vLLM / OpenAI users expect.
 *
 * <p>{@link dev.specd.sampling.SamplingParams} holds a request's knobs;
 * {@link dev.specd.sampling.LogitsProcessor} is the pure function from (logits, params,
 * {@link dev.specd.sampling.TokenCounts history}) to the processed
 * {@link dev.specd.sampling.Distribution}, which speculative sampling uses as the target's p and
 * the draft's q; {@link dev.specd.sampling.Sampler} draws from it with a per-request seeded
 * stream; {@link dev.specd.sampling.Logprobs} reports the model's log-probabilities.
 *
 * <p>Plain JDK only: nothing here depends on the engine, the scheduler or the API.
 */
package dev.specd.sampling;
