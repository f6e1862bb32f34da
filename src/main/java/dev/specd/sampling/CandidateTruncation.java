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
 * ends (widened by {@link #MARGIN} for rounding, since the exact path sums in another order);
 * otherwise, or when the nucleus or min-p could reach into the tail, the caller falls back to
 * the exact path. On real rows the boundary token weighs far more than the tail bound, so the
 * fallback is rare.
 *
 * <p>Min-p keeps a rank-order prefix too (p &ge; min_p &middot; p_max), so it runs first as a
 * filter that shrinks what top-p has to rank, as in {@link Truncation}.
 */
final class CandidateTruncation {

    /** Relative slack on the top-p target for summation-order rounding (far above 1 ulp, far below any real gap). */
    static final double MARGIN = 1e-12;
    /** Power-of-two weight buckets for ranking only what the nucleus needs; weights below 2^-63 share the last. */
    private static final int BUCKETS = 64;
    /** Sentinel results of {@link #prefix}. */
    private static final int NOT_REACHED = -1;
    private static final int UNDECIDED = -2;

    private CandidateTruncation() {
    }

    static Distribution apply(float[] logits, SamplingParams params, SamplingWorkspace ws) {
        RowScan scan = ws.scan;
        scan.scan(logits, params.temperature());
        int n = scan.count;
        int[] ids = scan.ids;
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
            double target = params.topP() * total;
            if (complete) {
                // Every token is a candidate: the exact path's own sums, so its own decisions.
                int r = prefix(logits, ids, w, kept, target, target, ws);
                if (r >= 0) kept = r;
            } else {
                double lo = target * (1 - MARGIN);
                double hi = params.topP() * (total + scan.tailBound()) * (1 + MARGIN);
                int r = prefix(logits, ids, w, kept, lo, hi, ws);
                if (r == UNDECIDED || (r == NOT_REACHED && tailSurvivesMinP)) return null;
                if (r >= 0) kept = r;
            }
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
     * <p>Candidates are bucketed by the binary exponent of their weight first: bucket order agrees
     * with rank order, so only the buckets up to the one where the mass reaches {@code hi} are
     * sorted. Their rank-order sum can miss by rounding what the bucket sums reached; then every
     * bucket is sorted.
     */
    static int prefix(float[] logits, int[] ids, double[] w, int n, double lo, double hi, SamplingWorkspace ws) {
        double[] bucketMass = new double[BUCKETS];
        for (int j = 0; j < n; j++) bucketMass[bucket(w[j])] += w[j];
        int lastBucket = BUCKETS - 1;
        double cumulative = 0;
        for (int b = 0; b < BUCKETS; b++) {
            cumulative += bucketMass[b];
            if (cumulative >= hi) {
                lastBucket = b;
                break;
            }
        }
        int r = sortedPrefix(logits, ids, w, n, lo, hi, lastBucket, ws);
        if (r == NOT_REACHED && lastBucket < BUCKETS - 1) r = sortedPrefix(logits, ids, w, n, lo, hi, BUCKETS - 1, ws);
        return r;
    }

    private static int sortedPrefix(float[] logits, int[] ids, double[] w, int n, double lo, double hi, int lastBucket,
                                    SamplingWorkspace ws) {
        long[] keys = ws.keys(n);
        int m = 0;
        for (int j = 0; j < n; j++) {
            // Positions ascend with token ids, so equal logits still rank by the lower id.
            if (bucket(w[j]) <= lastBucket) keys[m++] = RankedKeys.key(logits[ids[j]], j);
        }
        Arrays.sort(keys, 0, m);
        double cumulative = 0;
        for (int r = 0; r < m; r++) {
            cumulative += w[RankedKeys.index(keys[r])];
            if (cumulative >= lo) {
                if (cumulative < hi) return UNDECIDED;
                // Back to ascending positions, then compact in place: a position is never
                // overwritten before it is read.
                int[] positions = new int[r + 1];
                for (int q = 0; q <= r; q++) positions[q] = RankedKeys.index(keys[q]);
                Arrays.sort(positions);
                for (int q = 0; q <= r; q++) {
                    ids[q] = ids[positions[q]];
                    w[q] = w[positions[q]];
                }
                return r + 1;
            }
        }
        return NOT_REACHED;
    }

    /** 0 for weights in [1/2, 1], 1 for [1/4, 1/2), ...; monotone, so bucket order is rank order. */
    private static int bucket(double weight) {
        int b = -Math.getExponent(weight);
        return Math.min(Math.max(b, 0), BUCKETS - 1);
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
