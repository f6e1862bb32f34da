package dev.specd.sampling;

import java.util.Arrays;

/**
 * Top-p and min-p (without top-k) decided among the candidates of a {@link RowScan}, with exp
 * computed for the candidates only; the result is exactly {@link Truncation#exact}'s whenever it
 * is returned, and null when only the whole vocabulary can decide.
 *
 * <p>Top-p keeps the shortest rank-order prefix whose mass reaches top_p &middot; Z, with Z the
 * summed weight of every token. Z is known only up to the bounded tail: Z &isin; [Z<sub>c</sub>,
 * Z<sub>c</sub> + tail]. The prefix is determined when the same prefix reaches the target for both
 * ends (widened by a rounding margin, since the exact path sums in another order); otherwise, or
 * when the nucleus or min-p could reach into the tail, the caller falls back to the exact path.
 * On real rows the boundary token weighs far more than the tail bound, so the fallback is rare;
 * a prefix whose mass meets the target exactly (as equal logits can make it) always takes it, so
 * such rows resolve as the exact path resolves them.
 *
 * <p>Min-p keeps a rank-order prefix too (p &ge; min_p &middot; p_max), so it runs first as a
 * filter that shrinks what top-p has to rank, as in {@link Truncation}.
 */
final class CandidateTruncation {

    /**
     * Relative slack on the top-p target per candidate: sums of n positive terms in two orders
     * differ by at most about n ulps; far below any real boundary gap (1e-4 and up).
     */
    static final double MARGIN_PER_TOKEN = 4.5e-16;
    /** Logit bins for locating the top-p boundary. */
    static final int BINS = 2048;
    /** Sentinel results of {@link #prefix}. */
    private static final int NOT_REACHED = -1;
    private static final int UNDECIDED = -2;

    private CandidateTruncation() {
    }

    static Distribution apply(float[] logits, SamplingParams params, SamplingWorkspace ws) {
        Distribution d = apply(logits, params, ws, RowScan.DEPTH);
        if (d != null) return d;
        // The tail bound was too loose for this row: a second pass with a deeper cut tightens it.
        if (ws.scan.complete()) return null;
        ws.deepScans++;
        return apply(logits, params, ws, RowScan.DEEP);
    }

    private static Distribution apply(float[] logits, SamplingParams params, SamplingWorkspace ws, double depth) {
        RowScan scan = ws.scan;
        scan.scan(logits, params.temperature(), ws.depth(depth, params.temperature()));
        int n = scan.count;
        // Filters compact these in place; the scan's own list stays intact for whoever reuses it.
        int[] ids = ws.candidates(scan.ids, n);
        double[] w = ws.weights(n);
        double maxLogit = logits[scan.best];
        double temperature = params.temperature();
        double total = 0;
        for (int j = 0; j < n; j++) {
            // The same expression as the exact path, so that the weights agree to the bit.
            w[j] = Math.exp((logits[ids[j]] - maxLogit) / temperature);
            total += w[j];
        }
        boolean complete = scan.complete();
        double minP = params.minP();
        // A token outside the candidates survives min-p only if it could weigh min_p or more.
        boolean tailSurvivesMinP = !complete && (minP == 0 || minP <= scan.tailMaxWeight());
        int kept = minP > 0 ? Truncation.keepAtLeast(ids, w, n, minP) : n;
        if (params.topP() < 1) {
            double margin = MARGIN_PER_TOKEN * (logits.length + 16);
            double lo = params.topP() * total * (1 - margin);
            double hi = params.topP() * (total + (complete ? 0 : scan.tailBound())) * (1 + margin);
            int r = prefix(logits, ids, w, kept, lo, hi, ws);
            if (r == UNDECIDED || (r == NOT_REACHED && tailSurvivesMinP)) return null;
            if (r >= 0) kept = r;
        } else if (tailSurvivesMinP) {
            return null;
        }
        return toDistribution(logits.length, ids, w, kept);
    }

    /**
     * The shortest rank-order prefix of the n candidates whose mass reaches {@code lo}, compacted
     * to the front of {@code ids}/{@code w} in token order; its length, provided it also reaches
     * {@code hi}. {@link #NOT_REACHED} when all n together stay below {@code lo}, {@link #UNDECIDED}
     * when the prefix reaching {@code lo} falls short of {@code hi}.
     *
     * <p>Nothing is sorted but the one bin where the prefix ends: the candidates are binned by
     * logit over their own range ({@value #BINS} equal bins, so bin order is rank order), the bin
     * masses locate the boundary bin, and only its candidates are ranked. A nucleus that holds most
     * of a flat 152k vocabulary then costs one pass, not a sort. The bin sums add up in another order
     * than a rank-order walk, which is why {@code lo} and {@code hi} carry a rounding margin.
     */
    static int prefix(float[] logits, int[] ids, double[] w, int n, double lo, double hi, SamplingWorkspace ws) {
        float top = Float.NEGATIVE_INFINITY;
        float bottom = Float.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float v = logits[ids[j]];
            top = Math.max(top, v);
            bottom = Math.min(bottom, v);
        }
        double scale = top > bottom ? (BINS - 1) / ((double) top - bottom) : 0;
        double[] mass = ws.binMass(BINS);
        int[] bins = ws.bins(n);
        for (int j = 0; j < n; j++) {
            int b = bin(logits[ids[j]], top, scale);
            bins[j] = b;
            mass[b] += w[j];
        }
        double before = 0;
        int boundary = -1;
        for (int b = 0; b < BINS; b++) {
            if (before + mass[b] >= lo) {
                boundary = b;
                break;
            }
            before += mass[b];
        }
        if (boundary < 0) return NOT_REACHED;
        long[] keys = ws.keys(n);
        int m = 0;
        for (int j = 0; j < n; j++) {
            // Positions ascend with token ids, so equal logits still rank by the lower id.
            if (bins[j] == boundary) keys[m++] = RankedKeys.key(logits[ids[j]], j);
        }
        Arrays.sort(keys, 0, m);
        double cumulative = before;
        long last = Long.MAX_VALUE;
        for (int r = 0; r < m && last == Long.MAX_VALUE; r++) {
            cumulative += w[RankedKeys.index(keys[r])];
            if (cumulative >= lo) last = keys[r];
        }
        // Rounding: the bin sum reached lo but its own rank-order walk did not.
        if (last == Long.MAX_VALUE || cumulative < hi) return UNDECIDED;
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int b = bins[j];
            if (b < boundary || (b == boundary && RankedKeys.key(logits[ids[j]], j) <= last)) {
                ids[kept] = ids[j];
                w[kept++] = w[j];
            }
        }
        return kept;
    }

    /** Bin 0 holds the best logit; monotone (non-increasing in the logit), so bin order is rank order. */
    private static int bin(float logit, float top, double scale) {
        return (int) (((double) top - logit) * scale);
    }

    /** The first n candidates (token order) as a distribution of its own arrays, zero weights (underflow) dropped. */
    private static Distribution toDistribution(int vocab, int[] ids, double[] w, int n) {
        int positive = 0;
        for (int j = 0; j < n; j++) if (w[j] > 0) positive++;
        int[] tokens = new int[positive];
        double[] mass = new double[positive];
        int i = 0;
        for (int j = 0; j < n; j++) {
            if (w[j] > 0) {
                tokens[i] = ids[j];
                mass[i++] = w[j];
            }
        }
        return Distribution.normalised(vocab, tokens, mass);
    }
}
