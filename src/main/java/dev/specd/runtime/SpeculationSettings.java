package dev.specd.runtime;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;

/**
 * Speculation as one request runs it: the pipeline's plan with the request's overrides applied.
 *
 * @param k      most tokens drafted per round (lossless); 0 with mode OFF. The static policy
 *               always drafts k; the others choose up to k each round.
 * @param policy how the draft length is chosen each round
 */
public record SpeculationSettings(SpeculationMode mode, int k, CascadeSpec cascade, PolicySpec policy) {

    public static final SpeculationSettings OFF = new SpeculationSettings(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT);

    public SpeculationSettings {
        if (mode != SpeculationMode.OFF && k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    }

    /** A fixed k every round (the static policy): benchmarks and tests that compare draft lengths. */
    public SpeculationSettings(SpeculationMode mode, int k, CascadeSpec cascade) {
        this(mode, k, cascade, PolicySpec.STATIC);
    }
}
