package dev.specd.runtime;

import dev.specd.draft.Draft;
import dev.specd.draft.DraftToken;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The draft of the round in progress: either a free drafter's whole proposal, or a draft model's
 * tokens as they arrive step by step. Reused from round to round (engine thread only).
 */
final class PendingDraft {

    private int[] tokens = new int[16];
    private double[] confidence = new double[16];
    private final List<Distribution> q = new ArrayList<>();
    private final List<Logprobs.Position> logprobs = new ArrayList<>();
    /** The draft model's raw logits per token, kept only when a deferral rule reads them; else nulls. */
    private final List<float[]> logits = new ArrayList<>();
    private int size;

    void clear() {
        size = 0;
        q.clear();
        logprobs.clear();
        logits.clear();
    }

    /** Replaces the draft with a free drafter's proposal. */
    void set(Draft d) {
        clear();
        for (int i = 0; i < d.size(); i++) {
            add(d.tokens()[i], d.q().get(i), d.confidence()[i], d.logprobs().isEmpty() ? null : d.logprobs().get(i));
        }
    }

    /** @param raw the draft model's logits for the token, or null when nothing reads them */
    void add(DraftToken t, float[] raw) {
        add(t.token(), t.q(), t.confidence(), t.logprob());
        logits.set(size - 1, raw);
    }

    private void add(int token, Distribution dist, double conf, Logprobs.Position lp) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            confidence = Arrays.copyOf(confidence, size * 2);
        }
        tokens[size] = token;
        confidence[size] = conf;
        q.add(dist);
        if (lp != null) logprobs.add(lp);
        logits.add(null);
        size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int token(int i) {
        return tokens[i];
    }

    int[] tokens() {
        return Arrays.copyOf(tokens, size);
    }

    double[] confidence() {
        return Arrays.copyOf(confidence, size);
    }

    /** The draft's distributions; null entries for tokens of a free drafter (verified as one-hot). */
    List<Distribution> q() {
        return q;
    }

    /** The draft model's raw logits for token i, or null (a free draft, or not kept). */
    float[] logits(int i) {
        return logits.get(i);
    }

    /** The draft model's log-probabilities of each token, or empty when not asked for. */
    List<Logprobs.Position> logprobs() {
        return logprobs.size() == size ? logprobs : List.of();
    }
}
