package dev.specd.draft;

import dev.specd.sampling.Logprobs;

/**
 * How sure a draft model is of its next token, measured on its raw logits (before the request's
 * temperature or filters: a greedy request turns every distribution into a point mass, which
 * would make every token look certain).
 */
public sealed interface Confidence {

    double of(float[] logits);

    /** The largest softmax probability: exp(max − logsumexp). */
    record MaxProb() implements Confidence {
        @Override
        public double of(float[] logits) {
            return Math.exp(max(logits) - Logprobs.logSumExp(logits));
        }
    }

    /** 1 − H(p) / ln V: 1 for a certain model, 0 for a uniform one. */
    record Entropy() implements Confidence {
        @Override
        public double of(float[] logits) {
            double logSum = Logprobs.logSumExp(logits);
            double h = 0;
            for (float l : logits) {
                double logP = l - logSum;
                if (logP > -60) h -= Math.exp(logP) * logP; // smaller terms are below double precision
            }
            return 1.0 - h / Math.log(logits.length);
        }
    }

    private static float max(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) if (l > max) max = l;
        return max;
    }
}
