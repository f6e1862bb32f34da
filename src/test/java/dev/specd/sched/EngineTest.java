package dev.specd.sched;

import dev.specd.TestModels;
import dev.specd.engine.ChatMessage;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.ModelInfo;
import dev.specd.engine.Sequence;
import dev.specd.engine.Vocab;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Admission, deadlines and draining of an engine, on stories260K through the real backend.
 * A "long" request asks for thousands of tokens (seconds of work even for this tiny model): it is
 * still running when the test looks, and is cancelled or failed long before it would end. Waits
 * are for states, never for amounts of time, so a loaded machine only makes the tests slower.
 */
class EngineTest {

    private static final int LONG = 3_000;
    /** Bound on waiting for a state that follows within milliseconds: only a hang reaches it. */
    private static final long PATIENCE_SECONDS = 60;

    /** A target-only loop on stories260K; context cells enough for a long request per sequence. */
    private static ExecutionPlan plan(int sequences) {
        return ExecutionPlan.targetOnly("test", new ModelRef.File(TestModels.stories260K().toString(),
                Optional.empty(), Optional.empty()), 4_096 * sequences, sequences, 1);
    }

    private static LocalEngine loop(int sequences, SchedulerLimits limits, LongSupplier clock) {
        ExecutionPlan plan = plan(sequences);
        return LocalEngine.builder(LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT), plan.target())
                .pipeline(plan).limits(limits).telemetry(Telemetry.NONE).energy(EnergyAccount.unmetered()).clock(clock)
                .ownModels().start();
    }

    private static LocalEngine loop(int sequences, SchedulerLimits limits) {
        return loop(sequences, limits, System::nanoTime);
    }

    /** One submitted request: its end (a Done, or the failure), and the submission to cancel it. */
    private record Call(CompletableFuture<GenerationEvent.Done> end, Submission subscription) {

        GenerationEvent.Done done() throws Exception {
            return end.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        }

        Throwable failure() throws Exception {
            try {
                GenerationEvent.Done d = end.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
                return fail("expected a failure, the request ended normally: " + d);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    private static Call start(LocalEngine loop, int maxTokens) {
        return start(loop, "Once upon a time", maxTokens);
    }

    private static Call start(LocalEngine loop, String text, int maxTokens) {
        int[] prompt = loop.engine().target().vocab().tokenize(text, true, false);
        CompletableFuture<GenerationEvent.Done> end = new CompletableFuture<>();
        Submission s = loop.pipeline().submit(new GenerationRequest(prompt, SamplingParams.greedy(), maxTokens, List.of(),
                true, SpeculationSpec.OFF), new GenerationSink() {
                    @Override
                    public void onEvent(GenerationEvent e) {
                        if (e instanceof GenerationEvent.Done d) end.complete(d);
                    }

                    @Override
                    public void onFailure(SchedulerException e) {
                        end.completeExceptionally(e);
                    }
                });
        return new Call(end, s);
    }

    /** Waits for a state that follows within milliseconds: only a hang reaches the bound. */
    private static void await(java.util.concurrent.Callable<Boolean> state, String what) {
        org.awaitility.Awaitility.await().alias(what).atMost(Duration.ofSeconds(PATIENCE_SECONDS)).pollInterval(Duration.ofMillis(2)).until(state);
    }

    @Test
    void aFullQueueRefusesTheNextRequestAtOnce() throws Exception {
        try (LocalEngine loop = loop(1, new SchedulerLimits(1, Duration.ofMinutes(10)))) {
            Call running = start(loop, LONG);
            await(() -> loop.engine().runningSequences() == 1, "the first request runs");
            Call queued = start(loop, LONG);
            assertEquals(1, loop.engine().waitingRequests());
            // The refusal comes from submit itself, before its caller could commit to any answer.
            assertThrows(QueueFullException.class, () -> start(loop, LONG));
            assertFalse(queued.end().isDone());
            running.subscription().cancel();
            queued.subscription().cancel();
        }
    }

    @Test
    void aCancelledWaitingRequestGivesItsPlaceBack() throws Exception {
        try (LocalEngine loop = loop(1, new SchedulerLimits(1, Duration.ofMinutes(10)))) {
            Call running = start(loop, LONG);
            await(() -> loop.engine().runningSequences() == 1, "the first request runs");
            Call queued = start(loop, 8);
            queued.subscription().cancel();
            await(() -> loop.engine().waitingRequests() == 0, "the cancelled request leaves the queue");
            assertFalse(running.end().isDone(), "the place came back while the first request still ran");
            Call next = start(loop, 8);
            running.subscription().cancel();
            assertEquals(FinishReason.LENGTH, next.done().reason());
        }
    }

    @Test
    void requestsPastTheirDeadlineEndWithATimeoutWaitingOrRunning() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (LocalEngine loop = loop(1, new SchedulerLimits(4, Duration.ofSeconds(10)), clock::get)) {
            Call running = start(loop, LONG);
            await(() -> loop.engine().runningSequences() == 1, "the first request runs");
            Call waiting = start(loop, 8);
            clock.addAndGet(Duration.ofSeconds(11).toNanos());

            RequestTimeoutException r = assertInstanceOf(RequestTimeoutException.class, running.failure());
            assertTrue(r.started(), "the first request was generating");
            RequestTimeoutException w = assertInstanceOf(RequestTimeoutException.class, waiting.failure());
            assertFalse(w.started(), "the second request never left the queue");

            // The loop lives on, with its slot free: a request within its deadline runs to its end.
            GenerationEvent.Done d = start(loop, 8).done();
            assertEquals(FinishReason.LENGTH, d.reason());
            assertEquals(8, d.completionTokens());
        }
    }

    @Test
    void drainLetsRunningAndQueuedRequestsFinishAndRefusesNewOnes() throws Exception {
        try (LocalEngine loop = loop(2, new SchedulerLimits(8, Duration.ofMinutes(10)))) {
            List<Call> calls = List.of(start(loop, 200), start(loop, 200), start(loop, 200)); // one must queue
            assertTrue(loop.drain(Duration.ofSeconds(PATIENCE_SECONDS)));
            for (Call c : calls) {
                GenerationEvent.Done d = c.done();
                assertEquals(FinishReason.LENGTH, d.reason());
                assertEquals(200, d.completionTokens());
            }
            assertThrows(ShuttingDownException.class, () -> start(loop, 8));
            assertEquals(0, loop.engine().runningSequences());
            assertEquals(0, loop.engine().waitingRequests());
        }
    }

    @Test
    void drainEndsWhatIsLeftAtItsTimeout() throws Exception {
        try (LocalEngine loop = loop(1, new SchedulerLimits(4, Duration.ofMinutes(10)))) {
            Call running = start(loop, LONG);
            Call waiting = start(loop, 8);
            // Neither can finish in a millisecond: the first is long, the second waits for its slot.
            assertFalse(loop.drain(Duration.ofMillis(1)));
            assertInstanceOf(ShuttingDownException.class, running.failure());
            assertInstanceOf(ShuttingDownException.class, waiting.failure());
            assertEquals(0, loop.engine().runningSequences());
            assertEquals(0, loop.engine().waitingRequests());
        }
    }

    @Test
    void aGenerationThatFailsEndsAloneAndTheOthersInItsTurnGoOn() throws Exception {
        ModelBackend real = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
        int[] poison = real.vocab().tokenize("The poisoned one", true, false);
        ExecutionPlan plan = plan(2);
        try (LocalEngine loop = LocalEngine.builder(new PoisoningBackend(real, poison), plan.target()).pipeline(plan)
                .limits(new SchedulerLimits(4, Duration.ofMinutes(10))).ownModels().start()) {
            Call innocent = start(loop, 400);
            await(() -> loop.engine().runningSequences() == 1, "the innocent request runs");
            Call poisoned = start(loop, "The poisoned one", 400);
            GenerationEvent.Done bad = poisoned.done();
            assertEquals(FinishReason.ERROR, bad.reason());
            assertTrue(bad.error().contains("NaN"), bad.error());
            assertFalse(innocent.end().isDone(), "the innocent request still runs after the other failed");
            GenerationEvent.Done good = innocent.done();
            assertEquals(FinishReason.LENGTH, good.reason());
            assertEquals(400, good.completionTokens());
            await(() -> loop.engine().runningSequences() == 0, "both sequences are freed"); // freed before the Done goes out, at the end of the turn
        }
    }

    /**
     * The real model, except that a sequence whose prompt is {@code poison} gets NaN logits from
     * then on: an engine fault confined to one sequence of a shared batch.
     */
    private record PoisoningBackend(ModelBackend real, int[] poison) implements ModelBackend {
        public ModelInfo info() {
            return real.info();
        }

        public Vocab vocab() {
            return real.vocab();
        }

        public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrompt) {
            return real.applyChatTemplate(messages, addAssistantPrompt);
        }

        public ModelContext newContext(ContextOptions options) {
            ModelContext context = real.newContext(options);
            Set<Sequence> poisoned = Collections.newSetFromMap(new IdentityHashMap<>());
            return new ModelContext() {
                public int contextLength() {
                    return context.contextLength();
                }

                public int maxSequences() {
                    return context.maxSequences();
                }

                public int openSequences() {
                    return context.openSequences();
                }

                public int usedCells() {
                    return context.usedCells();
                }

                public Sequence openSequence() {
                    return context.openSequence();
                }

                public List<float[][]> decode(List<DecodeStep> steps) {
                    List<float[][]> rows = context.decode(steps);
                    for (int i = 0; i < steps.size(); i++) {
                        if (Arrays.equals(steps.get(i).tokens(), poison)) poisoned.add(steps.get(i).sequence());
                        if (poisoned.contains(steps.get(i).sequence())) {
                            for (float[] row : rows.get(i)) Arrays.fill(row, Float.NaN);
                        }
                    }
                    return rows;
                }

                public void close() {
                    context.close();
                }
            };
        }

        public void close() {
            real.close();
        }
    }

    @Test
    void limitsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new SchedulerLimits(0, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new SchedulerLimits(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new SchedulerLimits(1, Duration.ofDays(400)));
    }
}
