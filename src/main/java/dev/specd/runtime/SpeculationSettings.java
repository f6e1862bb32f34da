package dev.specd.runtime;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;

/**
 * Speculation as one request runs it: the pipeline's plan with the request's overrides applied.
 *
 * @param k most tokens drafted per round (lossless); 0 with mode OFF
 */
public record SpeculationSettings(SpeculationMode mode, int k, CascadeSpec cascade) {

    public static final SpeculationSettings OFF = new SpeculationSettings(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT);

    public SpeculationSettings {
        if (mode != SpeculationMode.OFF && k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
}
