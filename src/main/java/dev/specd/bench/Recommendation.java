package dev.specd.bench;

import java.util.List;
import java.util.Optional;

/**
 * The advisor's pick: the candidate and static draft length with the highest predicted speed-up,
 * or target-only when none predicts more than {@link #MARGIN} over it (a gain that small is within
 * the model's error and would not pay for a second model's memory).
 *
 * @param pick    the winning candidate; empty for target-only
 * @param k       its draft length (0 for target-only)
 * @param speedup the predicted speed-up (1 for target-only)
 */
record Recommendation(Optional<Prediction> pick, int k, double speedup) {

    static final double MARGIN = 0.02;

    static Recommendation choose(List<Prediction> predictions) {
        Prediction bestCandidate = null;
        double best = 1;
        int bestK = 0;
        for (Prediction p : predictions) {
            var point = p.best();
            if (point.k() > 0 && point.speedup() > best) {
                best = point.speedup();
                bestK = point.k();
                bestCandidate = p;
            }
        }
        if (bestCandidate == null || best < 1 + MARGIN) return new Recommendation(Optional.empty(), 0, 1);
        return new Recommendation(Optional.of(bestCandidate), bestK, best);
    }

    boolean targetOnly() {
        return pick.isEmpty();
    }

    /** The best speculating candidate whether or not it won: what --verify measures when target-only won. */
    static Optional<Prediction> bestSpeculating(List<Prediction> predictions) {
        return predictions.stream().filter(p -> p.model().maxK() > 0)
                .max(java.util.Comparator.comparingDouble(p -> p.model().point(bestK(p)).speedup()));
    }

    /** The best k ≥ 1 of a candidate (its {@link Prediction#best()} may be 0). */
    static int bestK(Prediction p) {
        int k = 1;
        for (int j = 2; j <= p.model().maxK(); j++) {
            if (p.model().point(j).speedup() > p.model().point(k).speedup()) k = j;
        }
        return k;
    }
}
