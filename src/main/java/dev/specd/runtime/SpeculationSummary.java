package dev.specd.runtime;

import dev.specd.plan.SpeculationMode;

import java.util.Map;
import java.util.TreeMap;

/**
 * What speculation did for one request (the response's {@code speculation} object).
 *
 * @param verifiedTokens   emitted tokens the target checked or produced
 * @param unverifiedTokens emitted tokens only the draft model vouched for (cascade tails)
 * @param energy           the joules charged to the request; null while it runs, and when nothing is metered
 * @param deferred         in a speculative cascade, verified drafted positions whose rule deferred to the target
 * @param drafterRounds    rounds each drafter drafted, by name (model, lookup, suffix), and under
 *                         drafter selection the rounds it chose to draft nothing ("none")
 */
public record SpeculationSummary(SpeculationMode mode, int rounds, int drafted, int accepted, int verifiedTokens,
                                 int unverifiedTokens, EnergyCharge energy, int deferred,
                                 Map<String, Integer> drafterRounds) {

    public SpeculationSummary {
        drafterRounds = Map.copyOf(drafterRounds);
    }

    /** A summary without energy: the generation knows its tokens; the engine loop adds the joules at the end. */
    public SpeculationSummary(SpeculationMode mode, int rounds, int drafted, int accepted, int verifiedTokens,
                              int unverifiedTokens) {
        this(mode, rounds, drafted, accepted, verifiedTokens, unverifiedTokens, null, 0, Map.of());
    }

    public SpeculationSummary withEnergy(EnergyCharge charge) {
        return new SpeculationSummary(mode, rounds, drafted, accepted, verifiedTokens, unverifiedTokens, charge,
                deferred, drafterRounds);
    }

    /**
     * Two generations together (the choices of one request): counts add up, and so do joules; one
     * side without energy (nothing metered) leaves the sum unknown.
     */
    public SpeculationSummary plus(SpeculationSummary o) {
        EnergyCharge joules = energy == null || o.energy == null ? null : energy.plus(o.energy);
        Map<String, Integer> byDrafter = new TreeMap<>(drafterRounds);
        o.drafterRounds.forEach((k, v) -> byDrafter.merge(k, v, Integer::sum));
        return new SpeculationSummary(mode, rounds + o.rounds, drafted + o.drafted, accepted + o.accepted,
                verifiedTokens + o.verifiedTokens, unverifiedTokens + o.unverifiedTokens, joules,
                deferred + o.deferred, byDrafter);
    }

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
