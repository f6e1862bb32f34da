package dev.specd.plan;

/** Compiles a validated spec into an {@link ExecutionPlan}. */
public final class PipelineCompiler {

    private PipelineCompiler() {
    }

    public static ExecutionPlan compile(PipelineSpec spec) {
        TargetSpec t = spec.target();
        int budget = t.contextLength() / t.sequences();
        if (budget < 16) {
            throw new SpecException(spec.source(), "target.context",
                    "leaves " + budget + " cells per sequence for " + t.sequences() + " sequences; need at least 16");
        }
        return new ExecutionPlan(spec.id(), spec.description(), t.model(), t.contextLength(), t.sequences(),
                t.threads(), t.gpuLayers(), budget, spec.defaults(), spec.source(), SpeculationMode.OFF,
                java.util.List.of(), 0, CascadeSpec.DEFAULT, 1, java.util.List.of());
    }
}
