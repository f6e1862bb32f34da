package dev.specd.draft;

import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Tokens a drafter proposes, each with the draft's processed distribution q it was sampled from
 * (null for a deterministic drafter such as prompt lookup, which verification treats as one-hot)
 * and the draft model's confidence in it (1 for deterministic drafters).
 *
 * @param logprobs the draft model's own log-probabilities of each token (empty unless asked for: a
 *                 cascade reports them for tokens it emits without the target)
 */
public record Draft(int[] tokens, List<Distribution> q, double[] confidence, long nanos,
                    List<Logprobs.Position> logprobs) {

    public static final Draft EMPTY = new Draft(new int[0], List.of(), new double[0], 0);

    public Draft {
        if (q.size() != tokens.length || confidence.length != tokens.length) {
            throw new IllegalArgumentException("a draft needs one q and one confidence per token");
        }
        if (!logprobs.isEmpty() && logprobs.size() != tokens.length) {
            throw new IllegalArgumentException("a draft has one logprobs position per token, or none");
        }
        q = Collections.unmodifiableList(new ArrayList<>(q)); // nulls allowed: List.copyOf rejects them
        logprobs = List.copyOf(logprobs);
    }

    /** A draft without log-probabilities. */
    public Draft(int[] tokens, List<Distribution> q, double[] confidence, long nanos) {
        this(tokens, q, confidence, nanos, List.of());
    }

    /** The first {@code n} tokens of this draft. */
    public Draft prefix(int n) {
        if (n == tokens.length) return this;
        return new Draft(java.util.Arrays.copyOf(tokens, n), new ArrayList<>(q.subList(0, n)),
                java.util.Arrays.copyOf(confidence, n), nanos, logprobs.isEmpty() ? List.of() : logprobs.subList(0, n));
    }

    public int size() {
        return tokens.length;
    }

    public boolean isEmpty() {
        return tokens.length == 0;
    }
}
