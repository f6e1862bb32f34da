package dev.specd.plan;

import java.util.List;

/**
 * A pipeline as written in YAML under {@code config/pipelines/}: the target (verifier) model,
 * drafters, how drafts are accepted, and request defaults. The compiler turns a spec into an
 * immutable {@link ExecutionPlan}.
 *
 * @param drafters in order of preference: the runtime asks each in turn until one proposes tokens
 * @param source   where the spec was read from, for error messages
 */
public record PipelineSpec(String id, String description, TargetSpec target, List<DrafterSpec> drafters,
                           SpeculationSpec speculation, RequestDefaults defaults, String source) {
    public PipelineSpec {
        drafters = List.copyOf(drafters);
    }
}
