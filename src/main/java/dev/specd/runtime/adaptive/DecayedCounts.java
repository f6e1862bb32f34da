package dev.specd.runtime.adaptive;

import java.util.Arrays;

/**
 * Acceptance counts in slots (draft positions, or confidence buckets) with exponential
 * forgetting: a token that was reached (every earlier draft token accepted) counts once in its
 * slot, and once more as accepted if it was. Not thread-safe: the owner synchronises.
 */
final class DecayedCounts {

    private final double decay;
    private final double[] reached;
    private final double[] accepted;

    /** @param decay each {@link #forget()} multiplies the old counts by this (1 = never forget) */
    DecayedCounts(int slots, double decay) {
        this.decay = decay;
        this.reached = new double[slots];
        this.accepted = new double[slots];
    }

    /** Ages every count by one round. */
    void forget() {
        for (int i = 0; i < reached.length; i++) {
            reached[i] *= decay;
            accepted[i] *= decay;
        }
    }

    /** A reached token in {@code slot}, accepted or not. */
    void add(int slot, boolean wasAccepted) {
        reached[slot] += 1;
        if (wasAccepted) accepted[slot] += 1;
    }

    /** The slot's acceptance rate, leaning on {@code prior} with {@code weight} rounds' worth of evidence. */
    double rate(int slot, double prior, double weight) {
        return (accepted[slot] + weight * prior) / (reached[slot] + weight);
    }

    /** Evidence behind the slot's rate, in (decayed) tokens. */
    double evidence(int slot) {
        return reached[slot];
    }

    /** Mixes {@code other}'s counts into these, weighted (a warm start). */
    void absorb(DecayedCounts other, double weight) {
        for (int i = 0; i < reached.length; i++) {
            reached[i] += weight * other.reached[i];
            accepted[i] += weight * other.accepted[i];
        }
    }

    /** The counts as a saved profile holds them. */
    PositionCounts snapshot() {
        return new PositionCounts(reached.clone(), accepted.clone());
    }

    /** Takes saved counts; slots the saved ones lack are zero, and impossible values are clamped. */
    void restore(PositionCounts s) {
        Arrays.fill(reached, 0);
        Arrays.fill(accepted, 0);
        int n = Math.min(reached.length, Math.min(s.reached().length, s.accepted().length));
        for (int i = 0; i < n; i++) {
            reached[i] = Math.max(0, s.reached()[i]);
            accepted[i] = Math.min(reached[i], Math.max(0, s.accepted()[i]));
        }
    }
}
