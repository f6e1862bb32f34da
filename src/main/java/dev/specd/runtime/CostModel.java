package dev.specd.runtime;

import java.util.Arrays;

/**
 * Predicted cost of a round: the target's decode time as a function of the tokens in its batch
 * (on a CPU a batch of 8 costs ~4–5× one token, nowhere near 1× or 8×, so the curve is measured,
 * not assumed), and the draft model's time per drafted token. Seeded by a brief calibration at
 * start-up, refined online from every decode with an exponential moving average per batch size;
 * sizes never measured are interpolated between measured neighbours. Not thread-safe: the owner
 * synchronises.
 */
final class CostModel {

    /** Batch sizes tracked one by one; larger batches extrapolate from the last slope. */
    static final int MAX_TOKENS = 256;
    private static final double LEARNING_RATE = 0.05;

    /** Index t: mean nanoseconds of a target decode of t tokens; 0 = never measured. */
    private final double[] verify = new double[MAX_TOKENS + 1];
    private double draftPerToken;
    private double turnOverhead;

    /** One target decode of {@code tokens} tokens that took {@code nanos}. */
    void observeVerify(int tokens, long nanos) {
        if (tokens < 1 || nanos <= 0) return;
        int t = Math.min(tokens, MAX_TOKENS);
        // Scale a larger batch down to the largest tracked size, keeping its per-token cost.
        double value = tokens <= MAX_TOKENS ? nanos : nanos * (double) MAX_TOKENS / tokens;
        verify[t] = verify[t] == 0 ? value : verify[t] + LEARNING_RATE * (value - verify[t]);
    }

    /** Drafting {@code tokens} tokens took {@code nanos} (prompt-lookup drafts are close to free). */
    void observeDraft(int tokens, long nanos) {
        if (tokens < 1 || nanos < 0) return;
        double perToken = (double) nanos / tokens;
        draftPerToken = draftPerToken == 0 ? perToken : draftPerToken + LEARNING_RATE * (perToken - draftPerToken);
    }

    /** Work of a turn besides the decodes (sampling, verification, emission), shared by its sequences. */
    void observeTurnOverhead(long nanos) {
        if (nanos < 0) return;
        turnOverhead = turnOverhead == 0 ? nanos : turnOverhead + LEARNING_RATE * (nanos - turnOverhead);
    }

    double turnOverheadNanos() {
        return turnOverhead;
    }

    boolean calibrated() {
        for (int t = 1; t <= MAX_TOKENS; t++) if (verify[t] > 0) return true;
        return false;
    }

    /** Predicted nanoseconds of a target decode of {@code tokens} tokens; 0 before any measurement. */
    double verifyNanos(int tokens) {
        int t = Math.max(1, tokens);
        if (t <= MAX_TOKENS && verify[t] > 0) return verify[t];
        int below = t > MAX_TOKENS ? MAX_TOKENS : t - 1;
        while (below >= 1 && verify[below] == 0) below--;
        int above = t + 1;
        while (above <= MAX_TOKENS && verify[above] == 0) above++;
        if (below >= 1 && above <= MAX_TOKENS) {
            double f = (double) (t - below) / (above - below);
            return verify[below] + f * (verify[above] - verify[below]);
        }
        if (below >= 1) {
            // Beyond the largest measured size: continue with the slope between the two largest.
            int lower = below - 1;
            while (lower >= 1 && verify[lower] == 0) lower--;
            double slope = lower >= 1 ? (verify[below] - verify[lower]) / (below - lower) : verify[below] / below;
            return verify[below] + Math.max(0, slope) * (t - below);
        }
        if (above <= MAX_TOKENS) return verify[above] * t / above; // only larger sizes known: scale down
        return 0;
    }

    double draftNanosPerToken() {
        return draftPerToken;
    }

    Snapshot snapshot() {
        return new Snapshot(verify.clone(), draftPerToken, turnOverhead);
    }

    void restore(Snapshot s) {
        Arrays.fill(verify, 0);
        for (int t = 1; t < Math.min(verify.length, s.verifyNanos().length); t++) {
            verify[t] = Double.isFinite(s.verifyNanos()[t]) && s.verifyNanos()[t] > 0 ? s.verifyNanos()[t] : 0;
        }
        draftPerToken = Double.isFinite(s.draftNanosPerToken()) && s.draftNanosPerToken() > 0 ? s.draftNanosPerToken() : 0;
        turnOverhead = Double.isFinite(s.turnOverheadNanos()) && s.turnOverheadNanos() > 0 ? s.turnOverheadNanos() : 0;
    }

    /** @param verifyNanos index = batch tokens; 0 = unmeasured */
    record Snapshot(double[] verifyNanos, double draftNanosPerToken, double turnOverheadNanos) {
    }
}
