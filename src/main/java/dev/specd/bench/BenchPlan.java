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
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sched.LocalEngine;
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
    SpeculationSpec settings() {
        return mode == SpeculationMode.OFF ? SpeculationSpec.OFF : new SpeculationSpec(mode, k, cascade, policy);
    }

    /**
     * @param context   KV cells in all, shared evenly by {@code sequences}
     * @param queue     requests that may wait for a sequence
     * @param energy    the meter to charge ({@link EnergyAccount#unmetered()} for none)
     */
    LocalEngine open(Path target, Path draft, int context, int sequences, int threads, int queue,
                     EnergyAccount energy) {
        return open(target, draft, context, sequences, threads, queue, false, energy);
    }

    LocalEngine open(Path target, Path draft, int context, int sequences, int threads, int queue,
                     boolean batchInvariant, EnergyAccount energy) {
        return open(LlamaBackend.load(target, LoadOptions.DEFAULT), draft, context, sequences, threads, queue,
                batchInvariant, energy);
    }

    /** As {@link #open(Path, Path, int, int, int, int, boolean, EnergyAccount)} on a loaded target, which the engine then owns. */
    LocalEngine open(ModelBackend target, Path draft, int context, int sequences, int threads, int queue,
                     boolean batchInvariant, EnergyAccount energy) {
        return open(target, draft, context, sequences, threads, queue, batchInvariant, energy, Telemetry.NONE);
    }

    /** As above, reporting to {@code telemetry} (e.g. to count acceptance by draft position). */
    LocalEngine open(ModelBackend target, Path draft, int context, int sequences, int threads, int queue,
                     boolean batchInvariant, EnergyAccount energy, Telemetry telemetry) {
        boolean modelDraft = mode != SpeculationMode.OFF && !lookup;
        ModelRef.File draftRef = modelDraft ? file(draft) : null;
        List<DraftPlan> drafters = mode == SpeculationMode.OFF ? List.of()
                : List.of(lookup ? new DraftPlan.Lookup(1, 4) : new DraftPlan.Model(draftRef, context));
        TargetSpec spec = new TargetSpec(file(target.info().file()), context, sequences, threads, 0);
        ExecutionPlan plan = new ExecutionPlan("bench", name, spec, RequestDefaults.OPENAI, "bench", drafters,
                settings(), List.of());
        LocalEngine.Builder b = LocalEngine.builder(target, spec)
                .limits(new SchedulerLimits(queue, Duration.ofHours(1))).telemetry(telemetry).energy(energy)
                .batchInvariant(batchInvariant);
        if (modelDraft) b.draft(draftRef.key(), LlamaBackend.load(draft, LoadOptions.DEFAULT));
        return b.ownModels().pipeline(plan).start();
    }

    static ModelRef.File file(Path p) {
        return new ModelRef.File(p.toString(), Optional.empty(), Optional.empty());
    }

    /** The ids of the four presets {@link #mixed} serves, like the embedded pipelines. */
    static final List<String> MIXED_PRESETS = List.of("target", "lossless", "cascade", "lookup");

    /**
     * One engine with four presets over it, like the embedded pipelines: target-only, lossless with
     * the draft model (adaptive k ≤ 8), the cascade (τ 0.7) and prompt lookup (adaptive k ≤ 8). Their
     * requests share its sequences and verify batches.
     */
    static LocalEngine mixed(Path target, Path draft, int context, int sequences, int threads, int queue,
                             boolean batchInvariant) {
        ModelRef.File draftRef = file(draft);
        TargetSpec spec = new TargetSpec(file(target), context, sequences, threads, 0);
        List<DraftPlan> model = List.of(new DraftPlan.Model(draftRef, context));
        return LocalEngine.builder(LlamaBackend.load(target, LoadOptions.DEFAULT), spec)
                .draft(draftRef.key(), LlamaBackend.load(draft, LoadOptions.DEFAULT)).ownModels()
                .limits(new SchedulerLimits(queue, Duration.ofHours(1))).batchInvariant(batchInvariant)
                .pipeline(preset("target", spec, List.of(), SpeculationSpec.OFF))
                .pipeline(preset("lossless", spec, model, new SpeculationSpec(SpeculationMode.LOSSLESS, 8,
                        CascadeSpec.DEFAULT, PolicySpec.DEFAULT)))
                .pipeline(preset("cascade", spec, model, new SpeculationSpec(SpeculationMode.CASCADE, 8,
                        CascadeSpec.DEFAULT, PolicySpec.DEFAULT)))
                .pipeline(preset("lookup", spec, List.of(new DraftPlan.Lookup(1, 4)),
                        new SpeculationSpec(SpeculationMode.LOSSLESS, 8, CascadeSpec.DEFAULT, PolicySpec.DEFAULT)))
                .start();
    }

    private static ExecutionPlan preset(String id, TargetSpec spec, List<DraftPlan> drafters, SpeculationSpec s) {
        return new ExecutionPlan(id, id, spec, RequestDefaults.OPENAI, "bench", drafters, s, List.of());
    }
}
