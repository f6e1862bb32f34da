package dev.specd.runtime;

import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.SchedulerLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * With {@code specd.engine.batch-invariant}, a request's tokens do not depend on the traffic beside
 * it: greedy and seeded requests, speculative or not, run all at once give exactly what each gives
 * alone. 400 tokens: without the mode, one of these eight already differed at token 234 (batched
 * float sums flip a near-tie now and then).
 */
class BatchInvariantTest {

    static final List<String> PROMPTS = List.of("Once upon a time", "Lily went to the park", "The little dog",
            "Tom had a red ball", "One day, a cat", "The sun was hot", "Sam and Mia played", "A bird sang");

    @Test
    void concurrentRequestsEqualTheirSequentialAnswers() throws Exception {
        ExecutionPlan lossless = Pair.plan("lossless", 4, List.of(new DraftPlan.Model(Pair.draftRef(), 4096)),
                SpeculationSpec.fixed(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT));
        ExecutionPlan off = Pair.plan("off", 4, List.of(), SpeculationSpec.OFF);
        try (LocalEngine engine = LocalEngine.builder(LlamaBackend.load(Pair.TARGET, LoadOptions.DEFAULT), Pair.spec(4))
                .draft(Pair.draftRef().key(), LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT))
                .limits(new SchedulerLimits(64, Duration.ofMinutes(10))).batchInvariant(true).ownModels()
                .pipeline(lossless).pipeline(off).start()) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] prompt = engine.engine().target().vocab().tokenize(PROMPTS.get(i), true, false);
                SamplingParams sampling = i % 2 == 0 ? SamplingParams.greedy()
                        : SamplingParams.defaults().withTemperature(0.9).withSeed(i);
                requests.add(new GenerationRequest(prompt, sampling, 400, List.of(), true,
                        i % 4 < 2 ? lossless.speculation() : SpeculationSpec.OFF));
            }
            List<int[]> alone = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                alone.add(Collector.run(engine.pipeline(i % 4 < 2 ? "lossless" : "off"), requests.get(i)).tokens());
            }
            List<CompletableFuture<Collector.Completed>> together = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                together.add(Collector.submit(engine.pipeline(i % 4 < 2 ? "lossless" : "off"), requests.get(i)));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(alone.get(i), together.get(i).get(5, TimeUnit.MINUTES).tokens(), "request " + i);
            }
        }
    }
}
