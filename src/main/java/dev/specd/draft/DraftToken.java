package dev.specd.draft;

import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;

/**
 * One token a draft model proposed.
 *
 * @param q          the draft's processed distribution it was sampled from
 * @param confidence the draft model's confidence in it, on its raw logits
 * @param logprob    its log-probability under the draft model with alternatives, or null when not asked for
 */
public record DraftToken(int token, Distribution q, double confidence, Logprobs.Position logprob) {
}
