package dev.specd.api;

import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.OverrideException;
import dev.specd.plan.SpeculationOverride;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.EnergyCharge;
import dev.specd.runtime.SpeculationSummary;

import java.util.List;
import java.util.Objects;

/** Applies a request's {@code speculation} overrides to its pipeline's plan, and reports what speculation did. */
final class SpeculationMapper {

    private SpeculationMapper() {
    }

    /** The preset's speculation with the request's overrides; a bad override is a 400 naming its field. */
    static SpeculationSpec settings(ExecutionPlan plan, SpeculationRequest override, boolean seeded) {
        SpeculationOverride o = override == null ? SpeculationOverride.NONE
                : new SpeculationOverride(override.mode(), override.k(), override.tau(), override.policy(),
                override.rule(), override.alpha(), override.drafterSelection());
        try {
            return plan.withOverride(o, seeded);
        } catch (OverrideException e) {
            throw ApiException.invalid(e.field(), e.getMessage());
        }
    }

    /**
     * What speculation did for all the choices of a request together: counts summed, rates
     * recomputed from the sums (so a choice weighs by its tokens, not as one vote).
     */
    static Responses.Speculation report(List<SpeculationSummary> choices) {
        if (choices.isEmpty() || choices.stream().anyMatch(Objects::isNull)) return null;
        return report(choices.stream().reduce(SpeculationSummary::plus).orElseThrow());
    }

    static Responses.Speculation report(SpeculationSummary s) {
        if (s == null) return null;
        EnergyCharge e = s.energy();
        return new Responses.Speculation(s.mode().wireName(), s.rounds(), s.drafted(), s.accepted(),
                s.acceptanceRate(), s.verifiedTokens(), s.unverifiedTokens(), s.verifiedFraction(),
                e == null ? null : e.joules(), e == null ? null : e.perToken(), e == null ? null : e.source(),
                s.mode() == dev.specd.plan.SpeculationMode.CASCADE ? s.deferred() : null, s.drafterRounds());
    }
}
