package dev.specd.runtime.adaptive;

/**
 * How often a draft token is accepted as a function of the draft model's confidence in it (max
 * probability or 1 − normalised entropy, as the pipeline measures it): a calibration curve in
 * buckets of width 0.05, with exponential forgetting. The draft's confidence predicts agreement
 * well (AUC 0.75–0.90 on the forged pairs), which is what makes confidence early-stop pay; the
 * calibration tells the adaptive policy how much a given confidence is worth on this pipeline
 * instead of trusting a fixed threshold. Not thread-safe: the owner synchronises.
 */
final class ConfidenceStats {

    static final int BUCKETS = 20;
    private static final double DECAY = 0.998;
    private static final double PRIOR_WEIGHT = 2;

    private final DecayedCounts counts = new DecayedCounts(BUCKETS, DECAY);

    /** A verified draft: its tokens' confidences, of which the first {@code acceptedPrefix} were accepted. */
    void observe(double[] confidence, int acceptedPrefix) {
        counts.forget();
        for (int i = 0; i < confidence.length && i <= acceptedPrefix; i++) {
            counts.add(bucket(confidence[i]), i < acceptedPrefix);
        }
    }

    /**
     * The chance that a token drafted with {@code confidence} is accepted (given its predecessors
     * were); buckets with little evidence lean on {@code prior} (the position's overall rate).
     */
    double acceptance(double confidence, double prior) {
        return counts.rate(bucket(confidence), prior, PRIOR_WEIGHT);
    }

    private static int bucket(double confidence) {
        if (!(confidence >= 0)) return 0;
        return Math.min(BUCKETS - 1, (int) (confidence * BUCKETS));
    }

    PositionCounts snapshot() {
        return counts.snapshot();
    }

    void restore(PositionCounts s) {
        counts.restore(s);
    }
}
