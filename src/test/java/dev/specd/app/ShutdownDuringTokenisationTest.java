package dev.specd.app;

import dev.specd.engine.EngineException;
import dev.specd.engine.Vocab;
import dev.specd.runtime.observe.Telemetry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM while a request thread tokenised a long prompt freed the model under it: llama.cpp ended
 * the process with a fatal error in llama-vocab.cpp (exit 134). The shutdown path (engines closed,
 * models given back) now waits for the native calls already inside a model and refuses new ones;
 * were it to free the model anyway, this test would take the whole test JVM down with it.
 */
class ShutdownDuringTokenisationTest {

    @Test
    void closingTheServerWhileATokenisationRunsWaitsForIt() throws Exception {
        ModelPool pool = new ModelPool(Telemetry.NONE);
        Serving serving = ServingTest.start(ServingTest.embedded("stories"), pool, Telemetry.NONE);
        Vocab vocab = serving.pipelines().getFirst().target().vocab();
        // llama.cpp's SentencePiece tokeniser is quadratic in a run without spaces: seconds of native work.
        String prompt = "中".repeat(80_000);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> tokenising = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                return vocab.tokenize(prompt, true, false).length;
            } catch (EngineException e) {
                return e; // refused because the model was closing: fine, as long as nothing crashed
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        await().pollDelay(Duration.ofMillis(200)).until(() -> true); // let the native call begin
        serving.close(); // the shutdown path: engines stopped, contexts freed, models given back
        Object outcome = tokenising.get(5, TimeUnit.MINUTES);
        assertTrue(outcome instanceof Integer n && n > 0 || outcome instanceof EngineException, String.valueOf(outcome));
        assertEquals(0, pool.size(), "every model was given back");
        EngineException late = assertThrows(EngineException.class, () -> vocab.tokenize("Once upon a time", true, false));
        assertTrue(late.getMessage().contains("closed"), late.getMessage());
    }
}
