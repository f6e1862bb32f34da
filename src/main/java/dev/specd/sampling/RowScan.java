package dev.specd.sampling;

import java.util.Arrays;

/**
 * One pass over a logits row that finds its best token and the <em>candidates</em>: the tokens
 * whose weight exp((logit − max) / T) is at least e^-{@value #DEPTH}, in ascending token order.
 * Every other token is only counted, in two tiers of how far below the best it lies, which bounds
 * the mass left out (the {@link #tailBound() tail}) without computing a single exp for it.
 *
 * <p>Why: at 152k tokens, exp over the whole vocabulary costs about a millisecond per row, while
 * top-p and min-p are decided among the few hundred tokens near the top. Real vocabularies put most
 * tokens 20 to 40 logits under the best, where one predictable comparison per token settles them.
 * Two tiers, not more: measured at 152k tokens, a branch per tier boundary inside the bulk of the
 * vocabulary was mispredicted so often that it tripled the cost of the pass.
 *
 * <p>The pass also validates the row as {@link LogitsProcessor} promises: NaN and +Infinity are
 * rejected, and a row with every token masked ({@code -Infinity}) too. The cuts follow the running
 * maximum; tokens passed while it was lower are re-examined at the end, and a token counted against
 * a lower cut is also below the final one, so the counts stay valid bounds.
 */
final class RowScan {

    static final int INITIAL_CAPACITY = 1024;
    /** Candidates: weight &ge; e^-DEPTH (2.1e-9 of the best token's). */
    static final double DEPTH = 20;
    /**
     * Tier 2 starts here: each of its tokens weighs less than e^-24 = 3.8e-11, so even 256k of
     * them bound the tail by 1e-5 of the best token's weight, below the top-p boundary gap of
     * nearly every real row.
     */
    static final double DEPTH_2 = 24;

    int[] ids = new int[INITIAL_CAPACITY];
    int count;
    int best;
    float max;
    double temperature;
    private float cut1;
    private float cut2;
    private int tier1;
    private int tier2;

    /**
     * Scans {@code logits} at {@code temperature} &gt; 0.
     *
     * @throws IllegalArgumentException for an empty row, NaN or +Infinity, or every token masked
     */
    void scan(float[] logits, double temperature) {
        if (logits.length == 0) throw new IllegalArgumentException("logits are empty");
        this.temperature = temperature;
        float m = Float.NEGATIVE_INFINITY;
        int b = -1;
        float c1 = Float.NEGATIVE_INFINITY;
        float c2 = Float.NEGATIVE_INFINITY;
        int n = 0;
        int t1 = 0;
        int[] out = ids;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (v < c1) {
                // Most tokens: counted without a branch (the sign bit of c2 - v), since a branch on
                // a tier boundary inside the bulk is mispredicted for a third of them at T = 1.
                t1 += Float.floatToRawIntBits(c2 - v) >>> 31;
                continue;
            }
            // A candidate so far, or NaN (which fails every '<').
            if (v > m) {
                if (v == Float.POSITIVE_INFINITY) throw new IllegalArgumentException("logit of token " + i + " is +Infinity");
                m = v;
                b = i;
                c1 = cut(m, DEPTH);
                c2 = cut(m, DEPTH_2);
            } else if (v != v) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            if (n == out.length) out = ids = Arrays.copyOf(out, 2 * out.length);
            out[n++] = i;
        }
        if (b < 0) throw new IllegalArgumentException("every token is masked (all logits are -Infinity)");
        max = m;
        best = b;
        cut1 = c1;
        cut2 = c2;
        // Re-examine what passed under a lower running maximum.
        int kept = 0;
        for (int j = 0; j < n; j++) {
            float v = logits[out[j]];
            if (v >= c1) out[kept++] = out[j];
            else if (v >= c2) t1++;
        }
        count = kept;
        tier1 = t1;
        // Everything else, masked tokens included (their bound is loose, never wrong).
        tier2 = logits.length - kept - t1;
    }

    private float cut(float m, double depth) {
        return (float) (m - depth * temperature);
    }

    /** Whether every unmasked token is a candidate, so that sums over the candidates are exact. */
    boolean complete() {
        return tier1 + tier2 == 0;
    }

    /**
     * An upper bound on the summed weight of the non-candidates, in units of the best token's
     * weight (1): each lies under its tier's cut, and exp is monotone.
     */
    double tailBound() {
        return tier1 * weightAt(cut1) + tier2 * weightAt(cut2);
    }

    /** An upper bound on the weight of any non-candidate. */
    double tailMaxWeight() {
        return tier1 > 0 ? weightAt(cut1) : tier2 > 0 ? weightAt(cut2) : 0;
    }

    private double weightAt(float cut) {
        // The computed cut may round up a little; its own weight, plus an ulp's margin, still bounds.
        return Math.exp((cut - (double) max) / temperature) * (1 + 1e-12);
    }
}
