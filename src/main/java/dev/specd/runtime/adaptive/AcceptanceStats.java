package dev.specd.runtime.adaptive;

/**
 * Running estimates of acceptance per draft position, with exponential forgetting so that they
 * follow a workload that changes. Position i's estimate is the conditional rate α_i =
 * P(token i accepted | tokens 0..i−1 accepted), from decayed counts of the rounds that reached it;
 * an unseen position borrows its predecessor's rate, so that a policy may look one step beyond
 * what it has tried. Not thread-safe: the owner synchronises.
 */
final class AcceptanceStats {

    /** Positions tracked; deeper ones share the last estimate. */
    static final int POSITIONS = 32;

    private final DecayedCounts counts;
    private final double priorAlpha;
    private final double priorWeight;

    /**
     * @param decay       each observed round multiplies the old counts by this (1 = never forget)
     * @param priorAlpha  the estimate before any data
     * @param priorWeight how many rounds' worth of evidence the prior counts as
     */
    AcceptanceStats(double decay, double priorAlpha, double priorWeight) {
        this.counts = new DecayedCounts(POSITIONS, decay);
        this.priorAlpha = priorAlpha;
        this.priorWeight = priorWeight;
    }

    /** One verified draft: {@code drafted} tokens, of which the first {@code acceptedPrefix} were accepted. */
    void observe(int drafted, int acceptedPrefix) {
        if (drafted <= 0) return;
        counts.forget();
        // Positions past the first rejection were never reached.
        int last = Math.min(Math.min(drafted, acceptedPrefix + 1), POSITIONS);
        for (int i = 0; i < last; i++) counts.add(i, i < acceptedPrefix);
    }

    /** α_i: the chance that draft position i (0-based) is accepted once every earlier one was. */
    double alpha(int position) {
        int i = Math.min(position, POSITIONS - 1);
        return alphas(i + 1)[i];
    }

    /** α_0 … α_(n−1); a position without evidence takes the previous position's rate as its prior. */
    double[] alphas(int n) {
        double[] out = new double[n];
        double prior = priorAlpha;
        for (int j = 0; j < n; j++) {
            out[j] = counts.rate(Math.min(j, POSITIONS - 1), prior, priorWeight);
            prior = out[j];
        }
        return out;
    }

    /** Evidence behind position i's estimate, in (decayed) rounds. */
    double evidence(int position) {
        return counts.evidence(Math.min(position, POSITIONS - 1));
    }

    /** Mixes {@code other}'s counts into these, weighted (warm start from a saved or shared profile). */
    void absorb(AcceptanceStats other, double weight) {
        counts.absorb(other.counts, weight);
    }

    PositionCounts snapshot() {
        return counts.snapshot();
    }

    void restore(PositionCounts s) {
        counts.restore(s);
    }
}
