package dev.specd.sched;

import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's decisions turn by turn, with no thread at all: the test calls {@link Engine#turn()}
 * itself, on a {@link CountingBackend}, with a clock it moves by hand.
 */
class EngineTurnTest {

    static final ModelRef TARGET = new ModelRef.File("counting.gguf", Optional.empty(), Optional.empty());
    static final TargetSpec SPEC = new TargetSpec(TARGET, 512, 2, 1, 0);

    static ExecutionPlan preset(String id, SpeculationSpec s) {
        List<DraftPlan> drafters = s.speculates() ? List.of(new DraftPlan.Lookup(1, 2)) : List.of();
        return new ExecutionPlan(id, id, SPEC, RequestDefaults.OPENAI, id, drafters, s, List.of());
    }

    final AtomicLong clock = new AtomicLong();
    final CountingBackend backend = new CountingBackend();
    final CostModel costs = new CostModel();
    final Engine engine = new Engine("counting", SPEC, backend, Map.of(), new SchedulerLimits(4, Duration.ofSeconds(10)),
            Telemetry.NONE, EnergyAccount.unmetered(), costs, clock::get);
    final Pipeline off = engine.addPipeline(preset("off", SpeculationSpec.OFF), null);
    final Pipeline lookup = engine.addPipeline(preset("lookup", SpeculationSpec.fixed(SpeculationMode.LOSSLESS, 4,
            dev.specd.plan.CascadeSpec.DEFAULT)), new PipelineProfile("lookup"));

    CompletableFuture<Collector.Completed> submit(Pipeline p, int tokens) {
        return Collector.submit(p, new GenerationRequest(new int[] {1, 5}, SamplingParams.greedy(), tokens, List.of(),
                true, p.plan().speculation()));
    }

    @Test
    void presetsShareTheSlotsAndOneBatchPerTurn() {
        engine.start();
        var a = submit(off, 3);
        var b = submit(lookup, 3);
        var c = submit(off, 2);
        assertTrue(engine.turn());
        assertEquals(2, engine.runningSequences(), "two slots for three requests of two presets");
        assertEquals(1, engine.waitingRequests());
        assertEquals(List.of(4), backend.batchTokens, "both prompts in one batch");
        engine.turn();
        engine.turn();
        assertTrue(a.isDone() && b.isDone(), "three tokens each: prompt turn + two more");
        assertEquals(List.of(4, 2, 2), backend.batchTokens, "one row each per turn, one decode per turn");
        engine.turn(); // c is admitted into a freed slot
        engine.turn();
        assertTrue(c.isDone());
        int[] expected = {6, 7, 8};
        assertArrayEquals(expected, a.join().tokens());
        assertArrayEquals(expected, b.join().tokens(), "the lookup preset's output is the target's");
        assertEquals(FinishReason.LENGTH, c.join().done().reason());
        assertFalse(engine.turn(), "nothing left to do");
    }

    @Test
    void waitingRequestsPastTheirDeadlineFailAndCancelledOnesLeave() {
        engine.start();
        var first = submit(off, 100);
        var second = submit(off, 100);
        var third = submit(lookup, 100);
        engine.turn();
        assertEquals(2, engine.runningSequences());
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        engine.turn();
        for (var f : List.of(first, second, third)) {
            RequestTimeoutException t = assertInstanceOf(RequestTimeoutException.class, f.handle((r, e) -> e).join());
            assertEquals(f != third, t.started(), "the third never left the queue");
        }
        assertEquals(0, engine.runningSequences());
        assertEquals(0, engine.waitingRequests());

        Collector sink = new Collector();
        Submission s = lookup.submit(new GenerationRequest(new int[] {1, 5}, SamplingParams.greedy(), 100, List.of(), true,
                lookup.plan().speculation()), sink);
        engine.turn();
        assertEquals(1, engine.runningSequences());
        s.cancel();
        engine.turn();
        assertEquals(0, engine.runningSequences(), "a cancelled request frees its slot at the next turn");
    }
}
