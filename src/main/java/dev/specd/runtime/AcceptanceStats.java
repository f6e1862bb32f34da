package dev.specd.runtime;

import java.util.Arrays;

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

    private final double decay;
    private final double priorAlpha;
    private final double priorWeight;
    private final double[] reached = new double[POSITIONS];
    private final double[] accepted = new double[POSITIONS];

    /**
     * @param decay       each observed round multiplies the old counts by this (1 = never forget)
     * @param priorAlpha  the estimate before any data
     * @param priorWeight how many rounds' worth of evidence the prior counts as
     */
    AcceptanceStats(double decay, double priorAlpha, double priorWeight) {
        this.decay = decay;
        this.priorAlpha = priorAlpha;
        this.priorWeight = priorWeight;
    }

    /** One verified draft: {@code drafted} tokens, of which the first {@code acceptedPrefix} were accepted. */
    void observe(int drafted, int acceptedPrefix) {
        if (drafted <= 0) return;
        for (int i = 0; i < POSITIONS; i++) {
            reached[i] *= decay;
            accepted[i] *= decay;
        }
        int last = Math.min(drafted, POSITIONS);
        for (int i = 0; i < last; i++) {
            if (i > acceptedPrefix) break; // never reached: an earlier token was rejected
            reached[i] += 1;
            if (i < acceptedPrefix) accepted[i] += 1;
        }
    }

    /** α_i: the chance that draft position i (0-based) is accepted once every earlier one was. */
    double alpha(int position) {
        return alphas(Math.min(position, POSITIONS - 1) + 1)[Math.min(position, POSITIONS - 1)];
    }

    /** α_0 … α_(n−1); a position without evidence takes the previous position's rate as its prior. */
    double[] alphas(int n) {
        double[] out = new double[n];
        double prior = priorAlpha;
        for (int j = 0; j < n; j++) {
            int i = Math.min(j, POSITIONS - 1);
            out[j] = (accepted[i] + priorWeight * prior) / (reached[i] + priorWeight);
            prior = out[j];
        }
        return out;
    }

    /** Evidence behind position i's estimate, in (decayed) rounds. */
    double evidence(int position) {
        return reached[Math.min(position, POSITIONS - 1)];
    }

    /**
     * E[tokens emitted by a round with k drafts] = Σ_{j=0..k} Π_{i<j} α_i: the accepted prefix
     * plus the target's own token. With a constant α this is (1 − α^(k+1)) / (1 − α).
     */
    double expectedTokens(int k) {
        double[] alpha = alphas(k);
        double sum = 1, run = 1;
        for (int j = 0; j < k; j++) {
            run *= alpha[j];
            sum += run;
        }
        return sum;
    }

    /** Mixes {@code other}'s counts into these, weighted (warm start from a saved or shared profile). */
    void absorb(AcceptanceStats other, double weight) {
        for (int i = 0; i < POSITIONS; i++) {
            reached[i] += weight * other.reached[i];
            accepted[i] += weight * other.accepted[i];
        }
    }

    /** The counts as saved in a profile: {@code [reached…, accepted…]} per position. */
    PositionCounts snapshot() {
        return new PositionCounts(reached.clone(), accepted.clone());
    }

    void restore(PositionCounts s) {
        int n = Math.min(POSITIONS, Math.min(s.reached().length, s.accepted().length));
        Arrays.fill(reached, 0);
        Arrays.fill(accepted, 0);
        for (int i = 0; i < n; i++) {
            reached[i] = Math.max(0, s.reached()[i]);
            accepted[i] = Math.min(reached[i], Math.max(0, s.accepted()[i]));
        }
    }
}
