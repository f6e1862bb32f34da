package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.EnergyAccount;
import dev.specd.runtime.PipelineProfile;
import dev.specd.runtime.SpeculationSettings;
import dev.specd.runtime.Telemetry;
import dev.specd.sched.EngineLoop;
import dev.specd.sched.SchedulerLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One benchmark configuration as a pipeline: the target file, at most one drafter (the draft
 * model, or prompt lookup), and how it speculates. Opens the engine loop the benchmarks measure,
 * with a fresh profile (so the adaptive policy learns only from what it runs) and each request's
 * matching speculation settings.
 *
 * @param lookup draft by prompt lookup instead of the draft model
 */
record BenchPlan(String name, SpeculationMode mode, int k, CascadeSpec cascade, PolicySpec policy, boolean lookup) {

    /** What each request of this configuration asks for. */
    SpeculationSettings settings() {
        return mode == SpeculationMode.OFF ? SpeculationSettings.OFF : new SpeculationSettings(mode, k, cascade, policy);
    }

    /**
     * @param context   KV cells in all, shared evenly by {@code sequences}
     * @param queue     requests that may wait for a sequence
     * @param energy    the meter to charge ({@link EnergyAccount#unmetered()} for none)
     */
    EngineLoop open(Path target, Path draft, int context, int sequences, int threads, int queue,
                    EnergyAccount energy) {
        return open(LlamaBackend.load(target, LoadOptions.DEFAULT), draft, context, sequences, threads, queue, energy);
    }

    /** As {@link #open(Path, Path, int, int, int, int, EnergyAccount)} on a loaded target, which the loop then owns. */
    EngineLoop open(ModelBackend target, Path draft, int context, int sequences, int threads, int queue,
                    EnergyAccount energy) {
        List<DraftPlan> drafters = mode == SpeculationMode.OFF ? List.of()
                : List.of(lookup ? new DraftPlan.Lookup(1, 4) : new DraftPlan.Model(file(draft), context));
        List<ModelBackend> draftModels = mode == SpeculationMode.OFF || lookup ? List.of()
                : List.of(LlamaBackend.load(draft, LoadOptions.DEFAULT));
        ExecutionPlan plan = new ExecutionPlan("bench", name, file(target.info().file()), context, sequences, threads, 0,
                context / sequences, RequestDefaults.OPENAI, "bench", mode, drafters, k, cascade, policy, k + 1, List.of());
        return new EngineLoop(plan, target, draftModels,
                new SchedulerLimits(queue, Duration.ofHours(1)), Telemetry.NONE, energy, new PipelineProfile(plan.id()));
    }

    private static ModelRef.File file(Path p) {
        return new ModelRef.File(p.toString(), Optional.empty(), Optional.empty());
    }
}
