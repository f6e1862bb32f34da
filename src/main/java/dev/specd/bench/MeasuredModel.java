package dev.specd.bench;

import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.SpeedupModel;

import java.util.List;

/**
 * The analytical model of a pair on a workload from what a run measured (the matrix's optimum and
 * the advisor's prediction): α by position counted from static presets' rounds; the verify curve
 * from the rounds' own verify decodes (median per batch size: a request's first round also decodes
 * what its prompt left), with the start-up calibration only shaping the sizes no round had — the
 * calibration ran on an empty cache while the JVM was still compiling (on 2 cores its 9-row figure
 * came out 17× its 1-row one where the rounds measured ~4×), the rounds ran at the workload's context
 * length on a settled machine; a draft
 * token's cost as the rounds measured it (its decode and its host-side sampling); and a step's
 * host work as target-only's measured time per token less the one-row verify.
 */
final class MeasuredModel {

    /** Verify decodes of one size needed before its median is trusted over the calibration's shape. */
    static final int MIN_SAMPLES = 3;

    private MeasuredModel() {
    }

    /**
     * @param tallies         the rounds of the static presets (acceptance is read from {@code longest})
     * @param longest         the tally of the longest static draft, k = {@code maxK}
     * @param targetStepNanos target-only's measured time per token after the first
     * @return null without counted rounds or a target-only measurement
     */
    static SpeedupModel of(List<PositionTally> tallies, PositionTally longest, CostModel costs, int maxK,
                           double targetStepNanos) {
        long[] reached = longest.reached();
        if (reached.length < maxK || reached[0] == 0 || targetStepNanos <= 0) return null;
        double[] verify = verifyCurve(tallies, costs, maxK + 1, targetStepNanos);
        double overhead = Math.max(0, targetStepNanos - verify[1]);
        long[] r = java.util.Arrays.copyOf(reached, maxK);
        long[] a = java.util.Arrays.copyOf(longest.accepted(), maxK);
        return new SpeedupModel(SpeedupModel.alphasFromCounts(r, a), verify, longest.draftNanosPerToken(), overhead);
    }

    /** As {@link #of(List, PositionTally, CostModel, int, double)} with one static preset's rounds. */
    static SpeedupModel of(PositionTally tally, CostModel costs, int maxK, double targetStepNanos) {
        return of(List.of(tally), tally, costs, maxK, targetStepNanos);
    }

    /**
     * Verify time by rows 1 … {@code rows}: the rounds' medians where measured; one row extrapolated
     * from the two smallest measured sizes (no round verifies one row) and never above a target-only
     * step; sizes between measured ones on the line between them; without two measured sizes, the
     * calibrated curve scaled to the one measured size (or to the target-only step).
     */
    static double[] verifyCurve(List<PositionTally> tallies, CostModel costs, int rows, double targetStepNanos) {
        double[] measured = new double[rows + 1];
        for (PositionTally t : tallies) {
            for (int n = 2; n <= rows; n++) {
                if (t.verifySamples(n) >= MIN_SAMPLES && measured[n] == 0) measured[n] = t.verifyNanos(n);
            }
        }
        int a = 0, b = 0;
        for (int n = 2; n <= rows; n++) {
            if (measured[n] <= 0) continue;
            if (a == 0) a = n;
            else if (b == 0) b = n;
        }
        double[] calibrated = costs.snapshot("measured", "").calibratedVerifyNanos();
        double[] out = new double[rows + 1];
        if (b > 0) {
            double slope = (measured[b] - measured[a]) / (b - a);
            measured[1] = Math.min(targetStepNanos, Math.max(measured[a] / 2, measured[a] - slope * (a - 1)));
            for (int t = 1; t <= rows; t++) out[t] = interpolate(measured, t);
            int last = rows;
            while (measured[last] <= 0) last--;
            // Past the largest measured size: the calibrated shape, from the last measured figure.
            for (int t = last + 1; t <= rows; t++) {
                double c = interpolate(calibrated, t), cl = interpolate(calibrated, last);
                out[t] = c > 0 && cl > 0 ? measured[last] * c / cl : out[t - 1];
            }
            return out;
        }
        double scale = 1;
        int anchor = a > 0 ? a : 1;
        double anchorValue = a > 0 ? measured[a] : targetStepNanos;
        double cal = interpolate(calibrated, anchor);
        if (cal > 0) scale = anchorValue / cal;
        for (int t = 1; t <= rows; t++) {
            double c = interpolate(calibrated, t);
            out[t] = c > 0 ? c * scale : costs.verifyNanos(t);
        }
        if (a > 0) out[1] = Math.min(out[1], targetStepNanos);
        return out;
    }

    /** The figure of size t, or the line between the nearest measured sizes around it; 0 when there are none. */
    static double interpolate(double[] curve, int t) {
        if (t < curve.length && curve[t] > 0) return curve[t];
        int below = Math.min(t, curve.length) - 1;
        while (below >= 1 && curve[below] <= 0) below--;
        int above = t + 1;
        while (above < curve.length && curve[above] <= 0) above++;
        if (below < 1 || above >= curve.length) return 0;
        return curve[below] + (curve[above] - curve[below]) * (t - below) / (above - below);
    }
}
