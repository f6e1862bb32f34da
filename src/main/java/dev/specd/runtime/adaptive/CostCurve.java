package dev.specd.runtime.adaptive;

import java.util.Arrays;

/**
 * Measured time of a decode as a function of the tokens in its batch (on a CPU a batch of 8 costs
 * ~3–5× one token: compute bound, so the curve is measured, not assumed). Online observations
 * refine it with an exponential moving average per batch size whose steps are clamped to a factor
 * of two of the estimate, so that one outlier (a preempted decode) moves it by a few per cent at
 * most, while a lasting change still wins within a few dozen decodes. Reads interpolate between
 * measured sizes and never decrease with size (a larger batch never costs less). Not thread-safe:
 * the owner synchronises.
 */
final class CostCurve {

    /** Batch sizes tracked one by one; larger batches extrapolate from the last slope. */
    static final int MAX_TOKENS = 256;
    private static final double LEARNING_RATE = 0.05;
    /** An observation counts as at most this factor away from the estimate. */
    private static final double CLAMP = 2.0;

    /** Index t: nanoseconds of a decode of t tokens; 0 = never measured. */
    private final double[] nanos = new double[MAX_TOKENS + 1];

    /** One decode of {@code tokens} tokens that took {@code ns}. */
    void observe(int tokens, long ns) {
        if (tokens < 1 || ns <= 0) return;
        int t = Math.min(tokens, MAX_TOKENS);
        // Scale a larger batch down to the largest tracked size, keeping its per-token cost.
        double value = tokens <= MAX_TOKENS ? ns : ns * (double) MAX_TOKENS / tokens;
        double old = nanos[t];
        if (old == 0) {
            nanos[t] = value;
            return;
        }
        double clamped = Math.max(old / CLAMP, Math.min(old * CLAMP, value));
        nanos[t] = old + LEARNING_RATE * (clamped - old);
    }

    /** Sets the figure of one size outright (a calibration measured it carefully). */
    void set(int tokens, double ns) {
        if (tokens >= 1 && tokens <= MAX_TOKENS && ns > 0 && Double.isFinite(ns)) nanos[tokens] = ns;
    }

    /** The raw figure of one size, 0 when never measured. */
    double measured(int tokens) {
        return tokens >= 1 && tokens <= MAX_TOKENS ? nanos[tokens] : 0;
    }

    boolean hasData() {
        for (int t = 1; t <= MAX_TOKENS; t++) if (nanos[t] > 0) return true;
        return false;
    }

    /** Predicted nanoseconds of a decode of {@code tokens} tokens; 0 before any measurement. */
    double predict(int tokens) {
        int t = Math.max(1, tokens);
        double raw = interpolate(t);
        // Monotone: a smaller batch measured slower (noise) bounds this one from below.
        for (int s = Math.min(t - 1, MAX_TOKENS); s >= 1; s--) {
            if (nanos[s] > 0) {
                raw = Math.max(raw, nanos[s]);
                break;
            }
        }
        return raw;
    }

    private double interpolate(int t) {
        if (t <= MAX_TOKENS && nanos[t] > 0) return nanos[t];
        int below = t > MAX_TOKENS ? MAX_TOKENS : t - 1;
        while (below >= 1 && nanos[below] == 0) below--;
        int above = t + 1;
        while (above <= MAX_TOKENS && nanos[above] == 0) above++;
        if (below >= 1 && above <= MAX_TOKENS) {
            double f = (double) (t - below) / (above - below);
            return nanos[below] + f * (nanos[above] - nanos[below]);
        }
        if (below >= 1) {
            // Beyond the largest measured size: continue with the slope between the two largest.
            int lower = below - 1;
            while (lower >= 1 && nanos[lower] == 0) lower--;
            double slope = lower >= 1 ? (nanos[below] - nanos[lower]) / (below - lower) : nanos[below] / below;
            return nanos[below] + Math.max(0, slope) * (t - below);
        }
        if (above <= MAX_TOKENS) return nanos[above] * t / above; // only larger sizes known: scale down
        return 0;
    }

    double[] snapshot() {
        return nanos.clone();
    }

    void restore(double[] saved) {
        Arrays.fill(nanos, 0);
        if (saved == null) return;
        for (int t = 1; t < Math.min(nanos.length, saved.length); t++) {
            nanos[t] = Double.isFinite(saved[t]) && saved[t] > 0 ? saved[t] : 0;
        }
    }
}
