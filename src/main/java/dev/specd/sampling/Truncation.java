package dev.specd.sampling;

import java.util.Arrays;

/**
 * Steps 4 to 8 of the {@link LogitsProcessor} chain for temperature &gt; 0: top-k, temperature
 * and softmax, top-p, min-p, renormalise.
 *
 * <p>Candidates are kept as parallel arrays of token ids and unnormalised weights
 * w = exp((logit - logit_max) / T), so the best token's weight is exactly 1. Top-p and min-p
 * both keep a prefix of the rank order (min-p keeps w &ge; min_p, top-p the shortest prefix whose
 * mass reaches top_p of the post-top-k total), so applying them in sequence keeps the shorter
 * prefix. That lets min-p run first as a cheap filter and shrink what top-p has to sort, without
 * changing the result.
 *
 * <p>Three paths, one result: top-k selects its k tokens in one pass; top-p / min-p without top-k
 * go through {@link CandidateTruncation}, which computes exp only near the top of the row; plain
 * temperature sampling, and the rows the candidates cannot decide, take {@link #exact}, which
 * computes every token's weight.
 */
final class Truncation {

    /** Power-of-two weight buckets for the top-p pre-selection; weights below 2^-63 share the last. */
    private static final int BUCKETS = 64;

    private Truncation() {
    }

    /** The processed distribution at temperature &gt; 0; validates the row (NaN, +Infinity, all masked). */
    static Distribution apply(float[] logits, SamplingParams params, SamplingWorkspace ws) {
        boolean topK = params.topK() > 0 && params.topK() < logits.length;
        if (topK) {
            // The k best are among the candidates whenever there are at least k of them: every
            // other token ranks below each candidate.
            RowScan scan = ws.scan;
            scan.scan(logits, params.temperature(), ws.depth(RowScan.DEPTH, params.temperature()));
            if (scan.count >= params.topK()) {
                return fromRanked(logits, RankedKeys.selectBest(logits, scan.ids, scan.count, params.topK()), params);
            }
            return exact(logits, -1, params);
        }
        if (params.topP() < 1 || params.minP() > 0) {
            Distribution d = CandidateTruncation.apply(logits, params, ws);
            if (d != null) return d;
            ws.exactFallbacks++;
            return exact(logits, ws.scan.best, params);
        }
        return exact(logits, LogitsProcessor.argmax(logits), params);
    }

    /**
     * Every token's weight, or the top-k's: the reference-exact path.
     *
     * @param best the argmax when known, or -1 under top-k (the selection finds and validates it)
     */
    static Distribution exact(float[] logits, int best, SamplingParams params) {
        if (params.topK() > 0 && params.topK() < logits.length) {
            return fromRanked(logits, RankedKeys.selectBest(logits, params.topK()), params);
        }
        return truncate(logits, unmaskedTokens(logits), best, false, params);
    }

    /** The rest of the chain after top-k selected {@code keys} (rank order). */
    private static Distribution fromRanked(float[] logits, long[] keys, SamplingParams params) {
        int[] ids = new int[keys.length];
        for (int j = 0; j < keys.length; j++) {
            ids[j] = RankedKeys.index(keys[j]);
        }
        return truncate(logits, ids, ids[0], true, params);
    }

    /** Weights, min-p, top-p and renormalisation over {@code ids} (token order, or rank order after top-k). */
    private static Distribution truncate(float[] logits, int[] ids, int best, boolean rankOrdered, SamplingParams params) {
        int vocab = logits.length;
        double maxLogit = logits[best];
        double temperature = params.temperature();
        double[] weights = new double[ids.length];
        double total = 0;
        for (int j = 0; j < ids.length; j++) {
            weights[j] = Math.exp((logits[ids[j]] - maxLogit) / temperature);
            total += weights[j];
        }

        int n = ids.length;
        if (params.minP() > 0) {
            n = keepAtLeast(ids, weights, n, params.minP());
        }
        if (params.topP() < 1) {
            double target = params.topP() * total;
            n = rankOrdered ? prefixReaching(weights, n, target) : nucleus(logits, ids, weights, n, target);
        }
        return toDistribution(vocab, ids, weights, n, rankOrdered);
    }

    /** Ids of all tokens that are not masked, ascending. */
    private static int[] unmaskedTokens(float[] logits) {
        int n = 0;
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                n++;
            }
        }
        int[] ids = new int[n];
        int j = 0;
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] != Float.NEGATIVE_INFINITY) {
                ids[j++] = t;
            }
        }
        return ids;
    }

    /** Min-p: compacts to the candidates with weight &ge; threshold (the best has weight 1). */
    static int keepAtLeast(int[] ids, double[] weights, int n, double threshold) {
        int kept = 0;
        for (int j = 0; j < n; j++) {
            if (weights[j] >= threshold) {
                ids[kept] = ids[j];
                weights[kept++] = weights[j];
            }
        }
        return kept;
    }

    /** Length of the shortest prefix whose mass reaches {@code target}, or all of them. */
    private static int prefixReaching(double[] weights, int n, double target) {
        double cumulative = 0;
        for (int j = 0; j < n; j++) {
            cumulative += weights[j];
            if (cumulative >= target) {
                return j + 1;
            }
        }
        return n;
    }

    /**
     * Top-p over candidates in token order: keeps the shortest rank-order prefix with mass
     * &ge; target and compacts the arrays to it, still in token order.
     *
     * <p>Sorting a 150k vocabulary per token would dominate sampling, so candidates are first
     * bucketed by the binary exponent of their weight. Bucket order agrees with rank order, so
     * the smallest run of buckets whose mass reaches the target contains the nucleus and only it
     * needs sorting. Its cumulative sum can still miss the target by rounding (the bucket masses
     * were summed in another order); then the whole candidate set is sorted instead.
     */
    private static int nucleus(float[] logits, int[] ids, double[] weights, int n, double target) {
        double[] bucketMass = new double[BUCKETS];
        for (int j = 0; j < n; j++) {
            bucketMass[bucket(weights[j])] += weights[j];
        }
        int lastBucket = -1;
        double cumulative = 0;
        for (int b = 0; b < BUCKETS; b++) {
            cumulative += bucketMass[b];
            if (cumulative >= target) {
                lastBucket = b;
                break;
            }
        }
        if (lastBucket < 0) {
            // Min-p already cut below the nucleus boundary: its set is the shorter prefix.
            return n;
        }
        int[] kept = sortedPrefix(logits, ids, weights, n, target, lastBucket);
        if (kept == null && lastBucket < BUCKETS - 1) {
            kept = sortedPrefix(logits, ids, weights, n, target, BUCKETS - 1);
        }
        if (kept == null) {
            return n;
        }
        // Positions ascend, so compacting in place never overwrites a position still to be read.
        Arrays.sort(kept);
        for (int i = 0; i < kept.length; i++) {
            ids[i] = ids[kept[i]];
            weights[i] = weights[kept[i]];
        }
        return kept.length;
    }

    /**
     * Sorts the candidates in buckets 0..lastBucket into rank order and returns the positions of
     * the shortest prefix reaching {@code target}, or null if even all of them fall short.
     */
    private static int[] sortedPrefix(float[] logits, int[] ids, double[] weights, int n,
                                      double target, int lastBucket) {
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (bucket(weights[j]) <= lastBucket) {
                m++;
            }
        }
        long[] keys = new long[m];
        int i = 0;
        for (int j = 0; j < n; j++) {
            if (bucket(weights[j]) <= lastBucket) {
                // Positions ascend with token ids here, so ties still resolve to the lower id.
                keys[i++] = RankedKeys.key(logits[ids[j]], j);
            }
        }
        Arrays.sort(keys);
        double cumulative = 0;
        for (int r = 0; r < m; r++) {
            cumulative += weights[RankedKeys.index(keys[r])];
            if (cumulative >= target) {
                int[] positions = new int[r + 1];
                for (int q = 0; q <= r; q++) {
                    positions[q] = RankedKeys.index(keys[q]);
                }
                return positions;
            }
        }
        return null;
    }

    /** 0 for weights in [1/2, 1], 1 for [1/4, 1/2), ...; monotone, so bucket order is rank order. */
    private static int bucket(double weight) {
        int b = -Math.getExponent(weight);
        return Math.min(Math.max(b, 0), BUCKETS - 1);
    }

    /** Drops zero weights (underflow), puts the support in token order and normalises. */
    private static Distribution toDistribution(int vocab, int[] ids, double[] weights, int n, boolean rankOrdered) {
        int positive = 0;
        for (int j = 0; j < n; j++) {
            if (weights[j] > 0) {
                positive++;
            }
        }
        int[] tokens;
        double[] mass;
        if (positive == ids.length && !rankOrdered) {
            tokens = ids;
            mass = weights;
        } else if (!rankOrdered) {
            tokens = new int[positive];
            mass = new double[positive];
            int i = 0;
            for (int j = 0; j < n; j++) {
                if (weights[j] > 0) {
                    tokens[i] = ids[j];
                    mass[i++] = weights[j];
                }
            }
        } else {
            long[] byToken = new long[positive];
            int i = 0;
            for (int j = 0; j < n; j++) {
                if (weights[j] > 0) {
                    byToken[i++] = ((long) ids[j] << 32) | j;
                }
            }
            Arrays.sort(byToken);
            tokens = new int[positive];
            mass = new double[positive];
            for (i = 0; i < positive; i++) {
                int j = (int) byToken[i];
                tokens[i] = ids[j];
                mass[i] = weights[j];
            }
        }
        return Distribution.normalised(vocab, tokens, mass);
    }
}
