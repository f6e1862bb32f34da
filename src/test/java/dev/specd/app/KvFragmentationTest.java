package dev.specd.app;

import dev.specd.plan.SpeculationOverride;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.Pipeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rejected drafts leave holes in the shared KV cache, and llama.cpp b4916 needs one contiguous run
 * of free cells per ubatch: with long sampled generations and long drafts, batches failed with free
 * cells to spare (8 of 8 requests failed on the lookup pipeline, 2,812 of 4,096 cells in use). Every
 * embedded preset now runs four sequences of 900 sampled tokens with static k = 32 (as long a draft
 * as a request may ask for) to their length limit.
 */
class KvFragmentationTest {

    @Test
    void longSampledGenerationsWithLongDraftsAllFinishOnEveryPreset() throws Exception {
        try (Serving serving = ServingTest.start(ServingTest.embedded("stories", "stories-target", "stories-cascade",
                "stories-lookup", "stories-suffix", "stories-speccascade", "stories-select"), new ModelPool(Telemetry.NONE), Telemetry.NONE)) {
            for (Pipeline p : serving.pipelines()) {
                boolean speculates = p.plan().speculation().speculates();
                SpeculationOverride k32 = new SpeculationOverride(null, speculates ? 32 : null, null,
                        speculates ? "static" : null);
                int[] prompt = p.target().vocab().tokenize("Once upon a time", true, false);
                List<CompletableFuture<Collector.Completed>> runs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(Collector.submit(p, new GenerationRequest(prompt, SamplingParams.defaults()
                            .withTemperature(1.0).withSeed(100 + i), 900, List.of(), true, p.plan().withOverride(k32, true))));
                }
                for (int i = 0; i < runs.size(); i++) {
                    Collector.Completed c = runs.get(i).get(10, TimeUnit.MINUTES);
                    assertEquals(FinishReason.LENGTH, c.done().reason(), p.id() + " request " + i + ": " + c.done());
                    assertEquals(900, c.done().completionTokens(), p.id());
                }
            }
        }
    }
}
