package dev.specd.runtime;

import dev.specd.TestModels;
import dev.specd.app.PipelineSources;
import dev.specd.engine.CacheDirs;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stories260K-derived pair the shipped pipelines use: the forged 5.4M target of
 * {@code config/pipelines/stories.yaml} and stories260K as draft, served by engine loops built
 * straight from plans (no HTTP), so tests can run thousands of requests quickly.
 */
final class Pair {

    /**
     * One decode thread: these models are so small that a second thread's synchronisation costs
     * more than it computes, and the test JVM's own threads keep the other core busy.
     */
    static final int THREADS = 1;

    static final Path TARGET;

    static {
        ModelResolver resolver = new ModelResolver(List.of(TestModels.dir()), CacheDirs.fromEnvironment().root(), false,
                Forge::forge, "forge-v" + Forge.VERSION);
        TARGET = resolver.resolve(PipelineSources.embedded("stories").target().model());
    }

    static ModelRef draftRef() {
        return new ModelRef.File(TestModels.stories260K().toString(), Optional.empty(), Optional.empty());
    }

    /** An engine with the pair and one preset; lookup adds a prompt-lookup drafter instead of the model. */
    static LocalEngine loop(SpeculationMode mode, int k, CascadeSpec cascade, boolean lookup, int sequences) {
        List<DraftPlan> drafters = new ArrayList<>();
        if (mode != SpeculationMode.OFF) {
            drafters.add(lookup ? new DraftPlan.Lookup(1, 4) : new DraftPlan.Model(draftRef(), 1024 * sequences));
        }
        return engine(sequences, plan("test-" + mode.wireName(), sequences, drafters,
                SpeculationSpec.fixed(mode, k, cascade)));
    }

    /** The pair's engine spec: 1024 cells per sequence. */
    static TargetSpec spec(int sequences) {
        return new TargetSpec(new ModelRef.File(TARGET.toString(), Optional.empty(), Optional.empty()),
                1024 * sequences, sequences, THREADS, 0);
    }

    static ExecutionPlan plan(String id, int sequences, List<DraftPlan> drafters, SpeculationSpec speculation) {
        return new ExecutionPlan(id, "test", spec(sequences), RequestDefaults.OPENAI, "test", drafters, speculation,
                List.of());
    }

    /** One engine over the pair's target with the given presets (and the draft model when one names it). */
    static LocalEngine engine(int sequences, ExecutionPlan... presets) {
        LocalEngine.Builder b = LocalEngine.builder(LlamaBackend.load(TARGET, LoadOptions.DEFAULT), spec(sequences))
                .limits(new SchedulerLimits(8192, Duration.ofHours(1)));
        boolean draft = java.util.Arrays.stream(presets).anyMatch(ExecutionPlan::hasModelDrafter);
        if (draft) b.draft(draftRef().key(), LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT));
        b.ownModels();
        for (ExecutionPlan p : presets) b.pipeline(p);
        return b.start();
    }

    static SpeculationSpec settings(SpeculationMode mode, int k, CascadeSpec cascade) {
        return SpeculationSpec.fixed(mode, k, cascade);
    }

    /** The result of one request: tokens, and the summary of its speculation. */
    record Result(int[] tokens, SpeculationSummary summary) {
    }

    static Result run(LocalEngine engine, int[] prompt, SamplingParams sampling, int maxTokens, SpeculationSpec s) {
        return run(engine.pipeline(), prompt, sampling, maxTokens, s);
    }

    static Result run(Pipeline pipeline, int[] prompt, SamplingParams sampling, int maxTokens, SpeculationSpec s) {
        Collector.Completed c = Collector.run(pipeline, new GenerationRequest(prompt, sampling, maxTokens, List.of(), true,
                s));
        return new Result(c.tokens(), c.done().speculation());
    }
}
