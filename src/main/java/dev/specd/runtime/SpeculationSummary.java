package dev.specd.runtime;

import dev.specd.plan.SpeculationMode;

/**
 * What speculation did for one request (the response's {@code speculation} object).
 *
 * @param verifiedTokens   emitted tokens the target checked or produced
 * @param unverifiedTokens emitted tokens only the draft model vouched for (cascade tails)
 */
public record SpeculationSummary(SpeculationMode mode, int rounds, int drafted, int accepted, int verifiedTokens,
                                 int unverifiedTokens) {

    /** Share of emitted tokens the target verified (1 when nothing was emitted). */
    public double verifiedFraction() {
        int total = verifiedTokens + unverifiedTokens;
        return total == 0 ? 1.0 : (double) verifiedTokens / total;
    }

    /** accepted / drafted, or 0 when nothing was drafted. */
    public double acceptanceRate() {
        return drafted == 0 ? 0 : (double) accepted / drafted;
    }
}
