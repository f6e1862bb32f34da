package dev.specd.app;

import dev.specd.TestModels;
import dev.specd.engine.CacheDirs;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PipelineCompiler;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One engine per target, models loaded once, engines sharing one driver: the server's wiring, without HTTP. */
class ServingTest {

    static ModelResolver resolver() {
        return new ModelResolver(List.of(TestModels.dir()), CacheDirs.fromEnvironment().root(), false, Forge::forge,
                "forge-v" + Forge.VERSION);
    }

    static List<ExecutionPlan> embedded(String... ids) {
        return PipelineCompiler.compileAll(java.util.Arrays.stream(ids).map(PipelineSources::embedded).toList())
                .stream().map(p -> p.withThreads(1)).toList();
    }

    /** Records the models gauge as the metrics would show it. */
    static final class Models implements Telemetry {
        final Map<String, Integer> copies = new ConcurrentHashMap<>();

        @Override
        public void modelsLoaded(String file, int n) {
            copies.put(file, n);
        }
    }

    static Serving start(List<ExecutionPlan> plans, ModelPool pool, Telemetry telemetry) throws InterruptedException {
        Serving s = Serving.start(plans, new Serving.Setup(resolver(), pool,
                new SchedulerLimits(64, Duration.ofMinutes(10)), telemetry, EnergyAccount.unmetered(), ProfileSource.FRESH));
        s.awaitReady(Duration.ofMinutes(5));
        return s;
    }

    @Test
    void fourPresetsOnOneTargetLoadItOnce() throws Exception {
        Models models = new Models();
        ModelPool pool = new ModelPool(models);
        try (Serving serving = start(embedded("stories", "stories-target", "stories-cascade", "stories-lookup"), pool,
                models)) {
            assertEquals(1, serving.engines().size(), "one engine for the one target");
            assertEquals(4, serving.pipelines().size());
            for (Pipeline p : serving.pipelines()) assertSame(serving.engines().getFirst(), p.engine(), p.id());
            assertEquals(2, pool.size(), "the target and the stories260K draft, each once");
            assertTrue(models.copies.values().stream().allMatch(n -> n == 1), models.copies.toString());
            assertEquals(2, models.copies.size(), models.copies.toString());
        }
        assertEquals(0, pool.size(), "closing the engines gave every model back");
        assertTrue(models.copies.values().stream().allMatch(n -> n == 0), models.copies.toString());
    }

    /**
     * Two engines over two different targets, turned by one driver: requests to both at once give
     * exactly the tokens each gives alone (greedy), so engines sharing the llama.cpp backend need no
     * lock of their own.
     */
    @Test
    void twoEnginesOnTwoTargetsAtOnceEqualTheirSequentialAnswers() throws Exception {
        ExecutionPlan small = ExecutionPlan.targetOnly("small", new ModelRef.File(TestModels.stories260K().toString(),
                Optional.empty(), Optional.empty()), 2048, 4, 1);
        List<ExecutionPlan> plans = new ArrayList<>(embedded("stories"));
        plans.add(small);
        try (Serving serving = start(plans, new ModelPool(Telemetry.NONE), Telemetry.NONE)) {
            assertEquals(2, serving.engines().size());
            List<String> prompts = List.of("Once upon a time", "Lily went to the park", "The little dog",
                    "Tom had a red ball", "One day, a cat", "The sun was hot", "Sam and Mia played", "A bird sang");
            List<Pipeline> pipelines = serving.pipelines();
            List<int[]> alone = new ArrayList<>();
            for (Pipeline p : pipelines) {
                for (String prompt : prompts) alone.add(Collector.run(p, request(p, prompt)).tokens());
            }
            List<CompletableFuture<Collector.Completed>> together = new ArrayList<>();
            for (Pipeline p : pipelines) for (String prompt : prompts) together.add(Collector.submit(p, request(p, prompt)));
            for (int i = 0; i < together.size(); i++) {
                assertArrayEquals(alone.get(i), together.get(i).get(2, TimeUnit.MINUTES).tokens(), "request " + i);
            }
        }
    }

    private static GenerationRequest request(Pipeline p, String prompt) {
        int[] tokens = p.target().vocab().tokenize(prompt, true, false);
        SpeculationSpec s = p.plan().withOverride(null, true);
        return new GenerationRequest(tokens, SamplingParams.greedy(), 40, List.of(), true, s);
    }
}
