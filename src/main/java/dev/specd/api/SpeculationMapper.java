package dev.specd.api;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.EnergyCharge;
import dev.specd.runtime.SpeculationSettings;
import dev.specd.runtime.SpeculationSummary;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Applies a request's {@code speculation} overrides to its pipeline's plan, and reports what speculation did. */
final class SpeculationMapper {

    static final int MAX_K = 32;

    private SpeculationMapper() {
    }

    /**
     * @param seeded the request has a seed. Its answer must then be the same every time, but which
     *               random numbers sampling uses depends on the draft lengths, and the adaptive
     *               policy chooses those from measured timings. So a seeded request that names no
     *               policy drafts the pipeline's fixed k instead (static).
     */
    static SpeculationSettings settings(ExecutionPlan plan, SpeculationRequest override, boolean seeded) {
        // Check every field first: a bad value is a 400 even when the mode makes it moot.
        if (override != null && override.k() != null && (override.k() < 1 || override.k() > MAX_K)) {
            throw ApiException.invalid("speculation.k", "speculation.k must be in 1.." + MAX_K + ", got " + override.k());
        }
        if (override != null && override.tau() != null && !(override.tau() >= 0 && override.tau() <= 1)) {
            throw ApiException.invalid("speculation.tau", "speculation.tau must be in [0, 1], got " + override.tau());
        }
        PolicySpec policy = seeded && plan.policy().policy() == SpeculationPolicy.ADAPTIVE
                ? plan.policy().withPolicy(SpeculationPolicy.STATIC) : plan.policy();
        if (override != null && override.policy() != null) {
            policy = policy.withPolicy(SpeculationPolicy.fromWire(override.policy()).orElseThrow(() -> ApiException.invalid(
                    "speculation.policy", "speculation.policy must be one of " + SpeculationPolicy.wireNames() + ", got '"
                            + override.policy() + "'")));
        }
        SpeculationMode mode = plan.mode();
        if (override != null && override.mode() != null) mode = parseMode(override.mode());
        if (mode == SpeculationMode.OFF) return SpeculationSettings.OFF;
        if (plan.drafters().isEmpty()) {
            throw ApiException.invalid("speculation.mode", "pipeline " + plan.id() + " has no drafter, so it can only run "
                    + "with speculation off");
        }
        if (mode == SpeculationMode.CASCADE && plan.drafters().stream().noneMatch(d -> d instanceof DraftPlan.Model)) {
            throw ApiException.invalid("speculation.mode", "cascade needs a draft model; pipeline " + plan.id()
                    + " has none");
        }
        int k = override != null && override.k() != null ? override.k() : plan.k();
        CascadeSpec cascade = plan.cascade();
        if (override != null && override.tau() != null) {
            cascade = new CascadeSpec(cascade.confidence(), override.tau(), cascade.rollback(), cascade.maxUnverified());
        }
        return new SpeculationSettings(mode, Math.max(1, k), cascade, policy);
    }

    private static SpeculationMode parseMode(String mode) {
        try {
            return SpeculationMode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("speculation.mode", "speculation.mode must be one of "
                    + Arrays.stream(SpeculationMode.values()).map(SpeculationMode::wireName).toList() + ", got '" + mode + "'");
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
                e == null ? null : e.joules(), e == null ? null : e.perToken(), e == null ? null : e.source());
    }
}
