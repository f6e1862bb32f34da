package dev.specd.sampling;

import java.util.Arrays;

/**
 * One pass over a logits row that finds its best token and the <em>candidates</em>: the tokens
 * whose weight exp((logit − max) / T) is at least e^-depth, in ascending token order. The other
 * tokens are only counted, which bounds the mass left out (the {@link #tailBound() tail}) without
 * computing a single exp for it.
 *
 * <p>Why: at 152k tokens, exp over the whole vocabulary costs about a millisecond per row, while
 * top-p and min-p are decided among the few hundred tokens near the top. Real vocabularies put most
 * tokens 20 to 40 logits under the best, where one comparison per token, a branch the CPU predicts,
 * settles them. (Counting the non-candidates by tiers of depth to tighten the bound was measured
 * and dropped: without the Vector API the counting doubled the cost of the pass. A second, deeper
 * pass for the few rows that need a tighter bound is cheaper.)
 *
 * <p>The pass also validates the row as {@link LogitsProcessor} promises: NaN and +Infinity are
 * rejected, and a row with every token masked ({@code -Infinity}) too. The cut follows the running
 * maximum; tokens passed while it was lower are re-examined at the end.
 */
final class RowScan {

    static final int INITIAL_CAPACITY = 1024;
    /**
     * The usual depth: candidates weigh at least e^-20 = 2.1e-9 of the best token, so 152k tokens
     * below it bound the tail by 3e-4 of the best token's weight, less than the top-p boundary gap
     * of some 95 % of real rows.
     */
    static final double DEPTH = 20;
    /** The deeper pass for the rest: e^-28 = 6.9e-13 per token, 1e-7 for 152k tokens. */
    static final double DEEP = 28;

    int[] ids = new int[INITIAL_CAPACITY];
    /** The row last scanned, so that a second question about the same row can reuse the scan. */
    private float[] row;
    int count;
    int best;
    float max;
    double temperature;
    private float cut;
    private int rest;

    /**
     * Scans {@code logits} at {@code temperature} &gt; 0 for the tokens within {@code depth}
     * (in units of the temperature) of the best.
     *
     * @throws IllegalArgumentException for an empty row, NaN or +Infinity, or every token masked
     */
    void scan(float[] logits, double temperature, double depth) {
        if (logits.length == 0) throw new IllegalArgumentException("logits are empty");
        row = null; // until the scan completes
        this.temperature = temperature;
        float m = Float.NEGATIVE_INFINITY;
        int b = -1;
        float c = Float.NEGATIVE_INFINITY;
        int n = 0;
        int[] out = ids;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            // Most tokens leave here; NaN fails the comparison and is caught below.
            if (v < c) continue;
            if (v > m) {
                if (v == Float.POSITIVE_INFINITY) throw new IllegalArgumentException("logit of token " + i + " is +Infinity");
                m = v;
                b = i;
                c = (float) (m - depth * temperature);
            } else if (v != v) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            if (n == out.length) out = ids = Arrays.copyOf(out, 2 * out.length);
            out[n++] = i;
        }
        if (b < 0) throw new IllegalArgumentException("every token is masked (all logits are -Infinity)");
        max = m;
        best = b;
        cut = c;
        // Re-examine what passed under a lower running maximum.
        int kept = 0;
        for (int j = 0; j < n; j++) {
            if (logits[out[j]] >= c) out[kept++] = out[j];
        }
        count = kept;
        // Everything else, masked tokens included (their bound is loose, never wrong).
        rest = logits.length - kept;
        row = logits;
    }

    /**
     * Whether the last scan was of this very array and reached at least {@code logitDepth} logits
     * below its best: its candidates then hold every token within that depth. The caller must not
     * have changed the array since.
     */
    boolean covers(float[] logits, double logitDepth) {
        return row == logits && (double) max - cut >= logitDepth;
    }

    /** Whether every unmasked token is a candidate, so that sums over the candidates are exact. */
    boolean complete() {
        return rest == 0;
    }

    /**
     * An upper bound on the summed weight of the non-candidates, in units of the best token's
     * weight (1): each lies under the cut, and exp is monotone.
     */
    double tailBound() {
        return tailBound(temperature);
    }

    /** {@link #tailBound()} for weights at another temperature. */
    double tailBound(double t) {
        return rest * tailMaxWeight(t);
    }

    /** An upper bound on the weight of any non-candidate. */
    double tailMaxWeight() {
        return tailMaxWeight(temperature);
    }

    private double tailMaxWeight(double t) {
        // The computed cut may round up a little; its own weight, plus an ulp's margin, still bounds.
        return rest == 0 ? 0 : Math.exp((cut - (double) max) / t) * (1 + 1e-12);
    }
}
