package dev.specd.sampling;

import java.util.Arrays;

/**
 * A processed next-token distribution over a vocabulary: what the sampler draws from, and what
 * speculative sampling compares as p (target) and q (draft) in the acceptance test
 * min(1, p(x)/q(x)) and the residual norm(max(0, p - q)).
 *
 * <p>It is stored sparsely, as its support (tokens with probability &gt; 0) in ascending token
 * order with parallel probabilities. After top-k / top-p / min-p the support is usually tens of
 * tokens and greedy decoding gives a point mass, so a dense {@code double[V]} (1.2 MB at
 * V = 150k, once per drafted position) would be mostly zeros; {@link #toDense()} gives one when
 * needed. Immutable.
 */
public final class Distribution {

    private final int vocabSize;
    /** Support tokens, strictly ascending. */
    private final int[] tokens;
    /** Probabilities of {@link #tokens}, all &gt; 0, summing to 1 up to rounding. */
    private final double[] probs;
    /** Sum of {@link #probs} in support order; the inverse CDF scales its uniform by it. */
    private final double total;
    private final int argmax;

    private Distribution(int vocabSize, int[] tokens, double[] probs) {
        this.vocabSize = vocabSize;
        this.tokens = tokens;
        this.probs = probs;
        double sum = 0;
        int best = 0;
        for (int i = 0; i < probs.length; i++) {
            sum += probs[i];
            // Strict '>' over ascending tokens: ties go to the lowest token id.
            if (probs[i] > probs[best]) {
                best = i;
            }
        }
        this.total = sum;
        this.argmax = tokens[best];
    }

    /** All mass on {@code token}: the processed distribution of greedy decoding. */
    public static Distribution pointMass(int vocabSize, int token) {
        checkVocab(vocabSize);
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " outside vocabulary of " + vocabSize);
        }
        return new Distribution(vocabSize, new int[] {token}, new double[] {1.0});
    }

    /**
     * The distribution proportional to non-negative {@code weights} (one per vocabulary entry),
     * e.g. the residual max(0, p - q) of speculative sampling.
     */
    public static Distribution fromWeights(double[] weights) {
        checkVocab(weights.length);
        int n = 0;
        for (int t = 0; t < weights.length; t++) {
            double w = weights[t];
            if (!(w >= 0) || w == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w + " at token " + t);
            }
            if (w > 0) {
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("weights have no positive entry");
        }
        int[] support = new int[n];
        double[] mass = new double[n];
        int j = 0;
        for (int t = 0; t < weights.length; t++) {
            if (weights[t] > 0) {
                support[j] = t;
                mass[j++] = weights[t];
            }
        }
        return normalised(weights.length, support, mass);
    }

    /**
     * Takes ownership of {@code tokens} (strictly ascending) and {@code weights} (all &gt; 0,
     * same length), normalising the weights in place.
     */
    static Distribution normalised(int vocabSize, int[] tokens, double[] weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= sum;
        }
        return new Distribution(vocabSize, tokens, weights);
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Number of tokens with probability &gt; 0. */
    public int supportSize() {
        return tokens.length;
    }

    /** The {@code i}-th support token, in ascending token order. */
    public int supportToken(int i) {
        return tokens[i];
    }

    /** The probability of {@link #supportToken(int) supportToken(i)}. */
    public double supportProb(int i) {
        return probs[i];
    }

    /** p(token); 0 for tokens outside the support, including ids outside the vocabulary. */
    public double prob(int token) {
        int i = Arrays.binarySearch(tokens, token);
        return i >= 0 ? probs[i] : 0.0;
    }

    /** log p(token); {@code -Infinity} outside the support. */
    public double logProb(int token) {
        return Math.log(prob(token));
    }

    /** The most probable token, ties to the lowest id; for greedy this is the one token. */
    public int argmax() {
        return argmax;
    }

    /** Whether all mass sits on one token, so that sampling needs no randomness. */
    public boolean isPointMass() {
        return tokens.length == 1;
    }

    /**
     * The inverse CDF: the first support token (ascending id) whose cumulative probability
     * exceeds {@code u}. With u ~ U[0, 1) the result is distributed as this distribution.
     */
    public int quantile(double u) {
        if (!(u >= 0 && u < 1)) {
            throw new IllegalArgumentException("u must be in [0, 1), got " + u);
        }
        // Scaling u by the actual sum keeps the walk from falling off the end through rounding.
        double threshold = u * total;
        double cumulative = 0;
        for (int i = 0; i < tokens.length; i++) {
            cumulative += probs[i];
            if (threshold < cumulative) {
                return tokens[i];
            }
        }
        return tokens[tokens.length - 1];
    }

    /** The probabilities as a dense vector of {@link #vocabSize()} entries (zeros off-support). */
    public double[] toDense() {
        double[] dense = new double[vocabSize];
        for (int i = 0; i < tokens.length; i++) {
            dense[tokens[i]] = probs[i];
        }
        return dense;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Distribution[vocab=").append(vocabSize)
                .append(", support=").append(tokens.length).append(", {");
        int shown = Math.min(tokens.length, 8);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(tokens[i]).append('=').append((float) probs[i]);
        }
        return sb.append(tokens.length > shown ? ", ...}]" : "}]").toString();
    }

    private static void checkVocab(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be > 0, got " + vocabSize);
        }
    }
}
