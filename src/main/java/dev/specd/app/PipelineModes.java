package dev.specd.app;

import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;

import java.util.EnumSet;
import java.util.Set;

/** What a started pipeline tells its telemetry, so that the metrics create its series up front. */
final class PipelineModes {

    private PipelineModes() {
    }

    /** The most tokens one round of the pipeline's own mode drafts: its k, or the cascade's unverified run. */
    static int draftPositions(ExecutionPlan plan) {
        return switch (plan.speculation().mode()) {
            case OFF -> 0;
            case LOSSLESS -> plan.speculation().k();
            case CASCADE -> plan.speculation().cascade().maxUnverified();
        };
    }

    /**
     * The modes a request may ask of the pipeline, as the API allows them: off always, lossless
     * with any drafter, cascade with a draft model.
     */
    static Set<SpeculationMode> of(ExecutionPlan plan) {
        Set<SpeculationMode> modes = EnumSet.of(SpeculationMode.OFF);
        if (!plan.drafters().isEmpty()) modes.add(SpeculationMode.LOSSLESS);
        if (plan.drafters().stream().anyMatch(d -> d instanceof DraftPlan.Model)) modes.add(SpeculationMode.CASCADE);
        return modes;
    }
}
