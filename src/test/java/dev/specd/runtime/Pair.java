package dev.specd.runtime;

import dev.specd.TestModels;
import dev.specd.app.PipelineSources;
import dev.specd.engine.CacheDirs;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.ModelRef;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.EngineLoop;

import java.nio.file.Path;
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
        ModelResolver resolver = new ModelResolver(List.of(TestModels.dir()), CacheDirs.root(), false, Forge::forge,
                "forge-v" + Forge.VERSION);
        TARGET = resolver.resolve(PipelineSources.embedded("stories").target().model());
    }

    static ModelRef draftRef() {
        return new ModelRef.File(TestModels.stories260K().toString(), Optional.empty(), Optional.empty());
    }

    /** A loop with the pair; lookup adds a prompt-lookup drafter instead of the model. */
    static EngineLoop loop(SpeculationMode mode, int k, CascadeSpec cascade, boolean lookup, int sequences) {
        ModelBackend target = LlamaBackend.load(TARGET, LoadOptions.DEFAULT);
        List<DraftPlan> drafters = new ArrayList<>();
        List<ModelBackend> draftModels = new ArrayList<>();
        if (mode != SpeculationMode.OFF) {
            if (lookup) {
                drafters.add(new DraftPlan.Lookup(1, 4));
            } else {
                drafters.add(new DraftPlan.Model(draftRef(), 1024 * sequences));
                draftModels.add(LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT));
            }
        }
        int context = 1024 * sequences;
        ExecutionPlan plan = new ExecutionPlan("test-" + mode.wireName(), "test", new ModelRef.File(TARGET.toString(),
                Optional.empty(), Optional.empty()), context, sequences, THREADS, 0, context / sequences,
                RequestDefaults.OPENAI, "test", mode, drafters, mode == SpeculationMode.OFF ? 0 : k, cascade,
                PolicySpec.STATIC, mode == SpeculationMode.OFF ? 1 : k + 1, List.of());
        return new EngineLoop(plan, target, draftModels, 8192);
    }

    static SpeculationSettings settings(SpeculationMode mode, int k, CascadeSpec cascade) {
        return mode == SpeculationMode.OFF ? SpeculationSettings.OFF : new SpeculationSettings(mode, k, cascade);
    }

    /** The result of one request: tokens, and the summary of its speculation. */
    record Result(int[] tokens, SpeculationSummary summary) {
    }

    static Result run(EngineLoop loop, int[] prompt, SamplingParams sampling, int maxTokens, SpeculationSettings s) {
        List<Integer> tokens = new ArrayList<>();
        SpeculationSummary[] summary = new SpeculationSummary[1];
        loop.submit(new GenerationRequest(prompt, sampling, maxTokens, List.of(), true, s)).subscribe().asStream()
                .forEach(e -> {
                    if (e instanceof GenerationEvent.Text t) for (int x : t.tokens()) tokens.add(x);
                    if (e instanceof GenerationEvent.Done d) summary[0] = d.speculation();
                });
        return new Result(tokens.stream().mapToInt(Integer::intValue).toArray(), summary[0]);
    }
}
