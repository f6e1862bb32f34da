package dev.specd.plan;

/**
 * A pipeline as written in YAML under {@code config/pipelines/}: which model answers, with which
 * resources, and the request defaults. The compiler turns a spec into an immutable plan.
 *
 * @param source where the spec was read from, for error messages
 */
public record PipelineSpec(String id, String description, TargetSpec target, RequestDefaults defaults, String source) {
}
