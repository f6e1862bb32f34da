package dev.specd.sampling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately naive transcription of the processing chain (boxed sort of the whole
 * vocabulary, dense arrays, filters applied literally in the documented order) that the
 * optimised {@link LogitsProcessor} must agree with exactly.
 *
 * <p>Sums are taken in the same order as the production code (token order without top-k, rank
 * order with it) so that boundary decisions of top-p do not differ by rounding.
 */
final class ReferenceProcessor {

    private ReferenceProcessor() {
    }

    static double[] process(float[] logits, SamplingParams params, TokenCounts history) {
        float[] w = LogitsProcessor.adjustLogits(logits, params, history);
        int vocab = w.length;
        List<Integer> order = new ArrayList<>();
        for (int t = 0; t < vocab; t++) {
            if (w[t] != Float.NEGATIVE_INFINITY) {
                order.add(t);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(t -> w[t] + 0.0f).reversed().thenComparing(t -> t));
        double[] out = new double[vocab];
        if (params.isGreedy()) {
            out[order.get(0)] = 1.0;
            return out;
        }
        boolean topK = params.topK() > 0 && params.topK() < vocab;
        if (topK) {
            order = order.subList(0, Math.min(params.topK(), order.size()));
        }
        double max = w[order.get(0)];
        double[] weight = new double[vocab];
        for (int t : order) {
            weight[t] = Math.exp((w[t] - max) / params.temperature());
        }
        double total = 0;
        if (topK) {
            for (int t : order) {
                total += weight[t];
            }
        } else {
            for (int t = 0; t < vocab; t++) {
                total += weight[t];
            }
        }
        int nucleus = order.size();
        if (params.topP() < 1) {
            double cumulative = 0;
            for (int r = 0; r < order.size(); r++) {
                cumulative += weight[order.get(r)];
                if (cumulative >= params.topP() * total) {
                    nucleus = r + 1;
                    break;
                }
            }
        }
        boolean[] keep = new boolean[vocab];
        for (int r = 0; r < nucleus; r++) {
            int t = order.get(r);
            // min-p: p >= min_p * p_max, and the best token's weight is exactly 1.
            keep[t] = weight[t] >= params.minP() * weight[order.get(0)] && weight[t] > 0;
        }
        double sum = 0;
        for (int t = 0; t < vocab; t++) {
            if (keep[t]) {
                sum += weight[t];
            }
        }
        for (int t = 0; t < vocab; t++) {
            out[t] = keep[t] ? weight[t] / sum : 0.0;
        }
        return out;
    }
}
