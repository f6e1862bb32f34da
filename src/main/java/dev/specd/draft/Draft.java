package dev.specd.draft;

import dev.specd.sampling.Distribution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Tokens a drafter proposes, each with the draft's processed distribution q it was sampled from
 * (null for a deterministic drafter such as prompt lookup, which verification treats as one-hot)
 * and the draft model's confidence in it (1 for deterministic drafters).
 */
public record Draft(int[] tokens, List<Distribution> q, double[] confidence, long nanos) {

    public static final Draft EMPTY = new Draft(new int[0], List.of(), new double[0], 0);

    public Draft {
        if (q.size() != tokens.length || confidence.length != tokens.length) {
            throw new IllegalArgumentException("a draft needs one q and one confidence per token");
        }
        q = Collections.unmodifiableList(new ArrayList<>(q)); // nulls allowed: List.copyOf rejects them
    }

    public int size() {
        return tokens.length;
    }

    public boolean isEmpty() {
        return tokens.length == 0;
    }
}
