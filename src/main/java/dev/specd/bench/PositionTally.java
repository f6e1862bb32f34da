package dev.specd.bench;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.Telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    /**
     * Index rows: the times of the verify decodes of that many batch rows. Kept whole for their
     * median: a request's first round also decodes what its prompt left (the target's last prompt
     * token, the draft model's whole prompt), and a mean would carry those outliers.
     */
    private final List<List<Long>> verifyNanos = new ArrayList<>();
    /** Each round's draft time per drafted token (median, for the same reason). */
    private final List<Double> draftNanos = new ArrayList<>();
    private long rounds;
    private long drafted;

    /** @param positions draft positions counted (deeper ones are ignored) */
    PositionTally(int positions) {
        reached = new long[positions];
        accepted = new long[positions];
        for (int i = 0; i < positions + 2; i++) verifyNanos.add(new ArrayList<>());
    }

    @Override
    public synchronized void round(String pipeline, SpeculationMode mode, RoundRecord round) {
        if (round.drafted() == 0) return;
        rounds++;
        drafted += round.drafted();
        draftNanos.add(round.draftNanos() / (double) round.drafted());
        if (round.verifyBatchRows() < verifyNanos.size()) verifyNanos.get(round.verifyBatchRows()).add(round.verifyNanos());
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
        verifyNanos.forEach(List::clear);
        draftNanos.clear();
        rounds = 0;
        drafted = 0;
    }

    /**
     * A drafted token's cost as the rounds measured it: the draft model's decode and its host-side
     * work (sampling each step, the drafter's bookkeeping), which its decode time alone misses.
     */
    synchronized double draftNanosPerToken() {
        return median(draftNanos);
    }

    /** Median time of the rounds' verify decodes of {@code rows} batch rows; 0 when none had that size. */
    synchronized double verifyNanos(int rows) {
        return rows >= 0 && rows < verifyNanos.size() ? median(verifyNanos.get(rows)) : 0;
    }

    /** Verify decodes of {@code rows} batch rows counted. */
    synchronized int verifySamples(int rows) {
        return rows >= 0 && rows < verifyNanos.size() ? verifyNanos.get(rows).size() : 0;
    }

    private static double median(List<? extends Number> xs) {
        if (xs.isEmpty()) return 0;
        double[] sorted = xs.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
