package dev.specd.bench;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.Telemetry;

import java.util.Arrays;

/**
 * Exact acceptance counts by draft position from every verified round, for the closed form of
 * {@link dev.specd.runtime.adaptive.SpeedupModel}: the preset's own profile decays and starts from a
 * prior, which is right for a policy that follows a workload but would bias a one-off prediction.
 * Position i is reached by a round that drafted past i with positions 0..i−1 accepted. Thread-safe
 * (the engine thread writes, the benchmark thread reads).
 */
final class PositionTally implements Telemetry {

    private final long[] reached;
    private final long[] accepted;
    private long rounds;
    private long drafted;

    /** @param positions draft positions counted (deeper ones are ignored) */
    PositionTally(int positions) {
        reached = new long[positions];
        accepted = new long[positions];
    }

    @Override
    public synchronized void round(String pipeline, SpeculationMode mode, RoundRecord round) {
        if (round.drafted() == 0) return;
        rounds++;
        drafted += round.drafted();
        int prefix = round.acceptedPrefix();
        // Positions after the first rejection were drafted but never reached (an earlier one failed).
        int last = Math.min(reached.length, Math.min(round.drafted(), prefix + 1));
        for (int i = 0; i < last; i++) {
            reached[i]++;
            if (i < prefix) accepted[i]++;
        }
    }

    /** Forgets what was counted (after a warm-up). */
    synchronized void reset() {
        Arrays.fill(reached, 0);
        Arrays.fill(accepted, 0);
        rounds = 0;
        drafted = 0;
    }

    /** Tokens drafted per round that drafted. */
    synchronized double meanDrafted() {
        return rounds == 0 ? 0 : drafted / (double) rounds;
    }

    synchronized long[] reached() {
        return reached.clone();
    }

    synchronized long[] accepted() {
        return accepted.clone();
    }

    synchronized long rounds() {
        return rounds;
    }
}
