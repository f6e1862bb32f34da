package dev.specd.runtime.adaptive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The analytical optimum of static speculation: Leviathan et al. (2023, §3.1–3.4) with measured
 * figures in place of their constants. A round drafting k tokens yields E(k) = Σ_{j=0..k} Π_{i<j} α_i
 * tokens (the accepted prefix plus the residual or bonus token), where α_i is the measured chance that
 * draft position i is accepted once every earlier one was (their α is one constant; measured
 * acceptance falls with the position), and costs T(k) = verify(1 + k) + k · draft + overhead, where
 * verify(t) is the measured target decode time of t rows (on a CPU it grows with t: compute bound;
 * the paper's c·k + 1 assumes it flat), draft the time of one draft step and overhead a round's host
 * work. Target-only generation is k = 0: one token per verify(1) + overhead. The predicted speed-up
 * of k is E(k) / T(k) × T(0); the best static k maximises it.
 *
 * @param alphas        α_0 … α_(n−1), the longest draft considered is n
 * @param verifyNanos   index t (1 … n + 1): the target's decode time of t rows; index 0 unused
 * @param draftNanos    one draft step (0 for drafters that cost nothing, like prompt lookup)
 * @param overheadNanos a round's host work besides the decodes
 */
public record SpeedupModel(double[] alphas, double[] verifyNanos, double draftNanos, double overheadNanos) {

    /** One draft length's prediction. */
    public record Point(int k, double expectedTokens, double roundNanos, double tokensPerSecond, double speedup) {
    }

    public SpeedupModel {
        alphas = alphas.clone();
        verifyNanos = verifyNanos.clone();
        if (verifyNanos.length < alphas.length + 2) {
            throw new IllegalArgumentException("verify costs for 1.." + (alphas.length + 1) + " rows needed, got "
                    + (verifyNanos.length - 1));
        }
        for (double a : alphas) {
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("acceptance must be in [0, 1], got " + a);
        }
        for (int t = 1; t < verifyNanos.length; t++) {
            if (!(verifyNanos[t] > 0)) throw new IllegalArgumentException("verify cost of " + t + " rows must be > 0");
        }
        if (draftNanos < 0 || overheadNanos < 0) throw new IllegalArgumentException("costs must be >= 0");
    }

    /**
     * From a profile: its class's α by position and the engine's cost model (the draft cost of one
     * sequence's step, the verify curve as calibrated and refined). Null when the engine was never
     * calibrated (nothing to predict from).
     */
    public static SpeedupModel of(PipelineProfile profile, RequestClass cls, int maxK) {
        if (!profile.calibrated() || maxK < 1) return null;
        double[] alphas = new double[maxK];
        for (int i = 0; i < maxK; i++) alphas[i] = profile.alpha(cls, i);
        double[] verify = new double[maxK + 2];
        for (int t = 1; t <= maxK + 1; t++) verify[t] = profile.costs().verifyNanos(t);
        return new SpeedupModel(alphas, verify, profile.draftMillisPerToken() * 1e6, profile.costs().turnOverheadNanos());
    }

    /**
     * α by position from counts of verified rounds: {@code reached[i]} rounds drafted position i with
     * every earlier position accepted, {@code accepted[i]} of them accepted it. A position never
     * reached takes the previous position's rate (no evidence of a fall).
     */
    public static double[] alphasFromCounts(long[] reached, long[] accepted) {
        double[] out = new double[reached.length];
        double prior = 0;
        for (int i = 0; i < reached.length; i++) {
            out[i] = reached[i] > 0 ? Math.min(1, accepted[i] / (double) reached[i]) : prior;
            prior = out[i];
        }
        return out;
    }

    public int maxK() {
        return alphas.length;
    }

    /** E(k): tokens a round of k drafted tokens yields on average. */
    public double expectedTokens(int k) {
        double tokens = 1, run = 1;
        for (int j = 0; j < k; j++) {
            run *= alphas[j];
            tokens += run;
        }
        return tokens;
    }

    /** T(k): predicted time of a round that drafts k tokens. */
    public double roundNanos(int k) {
        return verifyNanos[1 + k] + k * draftNanos + overheadNanos;
    }

    public Point point(int k) {
        if (k < 0 || k > maxK()) throw new IllegalArgumentException("k must be in 0.." + maxK() + ", got " + k);
        double e = expectedTokens(k);
        double t = roundNanos(k);
        return new Point(k, e, t, e / t * 1e9, e / t * roundNanos(0));
    }

    /** Every k from 0 (target-only) to {@link #maxK()}. */
    public List<Point> points() {
        List<Point> out = new ArrayList<>();
        for (int k = 0; k <= maxK(); k++) out.add(point(k));
        return out;
    }

    /** The static draft length with the highest predicted speed-up (0 when speculation does not pay). */
    public Point best() {
        Point best = point(0);
        for (int k = 1; k <= maxK(); k++) {
            Point p = point(k);
            if (p.speedup() > best.speedup()) best = p;
        }
        return best;
    }

    /** Draft cost relative to one target step: the c of the paper. */
    public double costRatio() {
        return draftNanos / verifyNanos[1];
    }

    @Override
    public double[] alphas() {
        return alphas.clone();
    }

    @Override
    public double[] verifyNanos() {
        return verifyNanos.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpeedupModel m && Arrays.equals(alphas, m.alphas) && Arrays.equals(verifyNanos, m.verifyNanos)
                && draftNanos == m.draftNanos && overheadNanos == m.overheadNanos;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(alphas) + Arrays.hashCode(verifyNanos);
    }

    @Override
    public String toString() {
        return "SpeedupModel" + Arrays.toString(alphas) + " verify " + Arrays.toString(verifyNanos) + " draft " + draftNanos
                + " overhead " + overheadNanos;
    }
}
