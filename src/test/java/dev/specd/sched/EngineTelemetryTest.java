package dev.specd.sched;

import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.EnergySource;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an engine tells its telemetry and how it charges energy, on stories260K through the
 * real backend: every request is admitted, gets a first token, inter-token gaps and an end; the
 * joules charged to requests plus those found idle are exactly what the meter counted. The
 * recording telemetry only records: it runs on the engine thread, where an assertion would not
 * reach the test.
 */
class EngineTelemetryTest {

    /** A meter at one watt: joules are seconds of wall-clock time. Records every reading. */
    private static final class WallClockMeter implements EnergySource {
        final List<Double> readings = new CopyOnWriteArrayList<>();

        public double joules() {
            double j = System.nanoTime() * 1e-9;
            readings.add(j);
            return j;
        }

        public String name() {
            return "wall";
        }
    }

    private static final class Recording implements Telemetry {
        final AtomicInteger admitted = new AtomicInteger();
        final AtomicInteger firstTokens = new AtomicInteger();
        final AtomicInteger interTokens = new AtomicInteger();
        final AtomicInteger busyTurns = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger maxKvCells = new AtomicInteger();
        final List<RequestOutcome> finished = new CopyOnWriteArrayList<>();
        final List<Double> energy = new CopyOnWriteArrayList<>();
        final List<Double> idle = new CopyOnWriteArrayList<>();
        final List<String> sources = new CopyOnWriteArrayList<>();

        public void admitted(String pipeline, long queueWaitNanos) {
            admitted.incrementAndGet();
        }

        public void firstToken(String pipeline, long nanos) {
            firstTokens.incrementAndGet();
        }

        public void interToken(String pipeline, long nanos) {
            interTokens.incrementAndGet();
        }

        public void finished(String pipeline, RequestOutcome outcome) {
            finished.add(outcome);
        }

        public void turn(String pipeline, int running, int waiting, int batchRows, int kvCells) {
            if (batchRows > 0) busyTurns.incrementAndGet();
            maxRunning.accumulateAndGet(running, Math::max);
            maxKvCells.accumulateAndGet(kvCells, Math::max);
        }

        public void energy(String pipeline, SpeculationMode mode, double joules, int completionTokens, String source) {
            energy.add(joules);
            sources.add(source);
        }

        public void idleEnergy(double joules, String source) {
            idle.add(joules);
        }
    }

    @Test
    void requestsAreObservedAndChargedEveryJouleOnce() throws Exception {
        WallClockMeter meter = new WallClockMeter();
        EnergyAccount account = new EnergyAccount(meter);
        Recording telemetry = new Recording();
        ExecutionPlan plan = ExecutionPlan.targetOnly("test", new ModelRef.File(TestModels.stories260K().toString(),
                Optional.empty(), Optional.empty()), 1_024 * 2, 2, 1);
        List<GenerationEvent.Done> dones = Collections.synchronizedList(new ArrayList<>());
        try (LocalEngine loop = LocalEngine.builder(LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT),
                plan.target()).pipeline(plan).limits(new SchedulerLimits(8, Duration.ofMinutes(10))).telemetry(telemetry)
                .energy(account).ownModels().start()) {
            int[] prompt = loop.engine().target().vocab().tokenize("Once upon a time", true, false);
            List<CompletableFuture<Collector.Completed>> ends = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // three for two slots: one waits
                ends.add(Collector.submit(loop.pipeline(), new GenerationRequest(prompt, SamplingParams.greedy(), 48,
                        List.of(), true, SpeculationSpec.OFF)));
            }
            for (CompletableFuture<Collector.Completed> end : ends) dones.add(end.get(60, TimeUnit.SECONDS).done());
            assertTrue(loop.drain(Duration.ofSeconds(60)));
        }
        assertEquals(3, telemetry.admitted.get());
        assertEquals(3, telemetry.firstTokens.get());
        assertEquals(3, telemetry.finished.size());
        assertTrue(telemetry.busyTurns.get() > 0);
        assertEquals(2, telemetry.maxRunning.get(), "two slots, three requests: both slots ran at once");
        assertTrue(telemetry.maxKvCells.get() > 0);
        double charged = 0;
        for (GenerationEvent.Done d : dones) {
            assertEquals(FinishReason.LENGTH, d.reason());
            assertEquals(48, d.completionTokens());
            assertNotNull(d.speculation().energy(), "a metered loop charges every request");
            assertEquals("wall", d.speculation().energy().source());
            assertEquals(48, d.speculation().energy().tokens());
            assertTrue(d.speculation().energy().joules() > 0, d.toString());
            charged += d.speculation().energy().joules();
        }
        for (Telemetry.RequestOutcome o : telemetry.finished) {
            assertEquals(48, o.completionTokens());
            assertEquals(SpeculationMode.OFF, o.mode());
            assertTrue(o.firstTokenNanos() >= 0 && o.firstTokenNanos() <= o.e2eNanos(), o.toString());
        }
        // Every token after a request's first is one gap: 47 per request (no text is held back here).
        assertEquals(3 * 47, telemetry.interTokens.get());
        assertEquals(List.of("wall", "wall", "wall"), telemetry.sources);
        assertEquals(charged, telemetry.energy.stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        // Conservation: requests + idle + what is still unclaimed = all the meter counted since the account began.
        double idle = telemetry.idle.stream().mapToDouble(Double::doubleValue).sum();
        double rest = account.claim();
        double counted = meter.readings.getLast() - meter.readings.getFirst();
        assertEquals(counted, charged + idle + rest, 1e-9 * Math.max(1, counted));
    }
}
