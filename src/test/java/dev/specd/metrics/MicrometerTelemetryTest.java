package dev.specd.metrics;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meters the telemetry keeps, on an in-memory registry. */
class MicrometerTelemetryTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerTelemetry telemetry = new MicrometerTelemetry(registry);

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void roundsCountAsVllmCountsThem() {
        telemetry.round("p", SpeculationMode.LOSSLESS, new RoundRecord(4, 4, -1, true, 0, 0, 5));
        telemetry.round("p", SpeculationMode.LOSSLESS, new RoundRecord(4, 1, 1, false, 0, 0, 5));
        telemetry.round("p", SpeculationMode.LOSSLESS, new RoundRecord(2, 0, 0, false, 0, 0, 3));
        String[] tags = {"pipeline", "p", "mode", "lossless"};
        assertEquals(3, counter("specd_spec_decode_num_drafts", tags));
        assertEquals(10, counter("specd_spec_decode_num_draft_tokens", tags));
        assertEquals(5, counter("specd_spec_decode_num_accepted_tokens", tags));
        double[] byPosition = new double[4];
        for (int i = 0; i < 4; i++) {
            byPosition[i] = registry.get("specd_spec_decode_num_accepted_tokens_per_pos").tags(tags)
                    .tag("position", Integer.toString(i)).counter().count();
        }
        assertEquals(2, byPosition[0]);
        assertEquals(1, byPosition[1]);
        assertEquals(1, byPosition[2]);
        assertEquals(1, byPosition[3]);
    }

    @Test
    void aTargetOnlyModeHasNoSpecDecodeSeries() {
        telemetry.finished("p", outcome(SpeculationMode.OFF, 10, 20, 2_000_000_000L, 500_000_000L));
        assertNull(registry.find("specd_spec_decode_num_drafts").meter());
        assertEquals(20, counter("specd_generation_tokens", "pipeline", "p", "mode", "off"));
        assertEquals(10, counter("specd_prompt_tokens", "pipeline", "p", "mode", "off"));
        assertEquals(1, counter("specd_requests", "pipeline", "p", "mode", "off", "finish_reason", "length"));
        assertEquals(20, counter("specd_verified_tokens", "pipeline", "p", "mode", "off"));
        assertEquals(0, counter("specd_unverified_tokens", "pipeline", "p", "mode", "off"));
        // (2 s - 0.5 s) over the 19 tokens after the first
        double tpot = registry.get("specd_time_per_output_token").tags("pipeline", "p").timer().mean(TimeUnit.NANOSECONDS);
        assertEquals(1_500_000_000L / 19, tpot, 1);
        // the pipeline's mode-less series exist from then on
        assertNotNull(registry.find("specd_time_to_first_token").tags("pipeline", "p").timer());
        assertEquals(0, registry.get("specd_speculation_k").tags("pipeline", "p").gauge().value(), "nothing drafted yet");
    }

    @Test
    void energyIsCountedPerSourceWithItsLifetimeRatio() {
        telemetry.energy("p", SpeculationMode.CASCADE, 3.0, 10, "rapl");
        telemetry.energy("p", SpeculationMode.CASCADE, 1.0, 10, "rapl");
        String[] tags = {"pipeline", "p", "mode", "cascade", "source", "rapl"};
        assertEquals(4.0, counter("specd_energy_joules", tags));
        assertEquals(0.2, registry.get("specd_energy_joules_per_token").tags(tags).gauge().value(), 1e-12);
        telemetry.idleEnergy(7.0, "rapl");
        assertEquals(7.0, counter("specd_energy_idle_joules", "source", "rapl"));
    }

    @Test
    void engineGaugesFollowTheLastTurnAgainstTheEngineCapacity() {
        telemetry.engineStarted("e", 4, 64, 4096);
        telemetry.turn("e", 3, 2, 17, 400);
        assertEquals(3, gauge("specd_num_requests_running", "engine", "e"));
        assertEquals(2, gauge("specd_num_requests_waiting", "engine", "e"));
        assertEquals(17, gauge("specd_batch_rows", "engine", "e"));
        assertEquals(400, gauge("specd_kv_cache_used_cells", "engine", "e"));
        assertEquals(4, gauge("specd_sequences_capacity", "engine", "e"));
        assertEquals(64, gauge("specd_queue_capacity", "engine", "e"));
        assertEquals(4096, gauge("specd_kv_cache_capacity_cells", "engine", "e"));
        assertEquals(5.0 / 4, gauge("specd_saturation", "engine", "e"), 1e-12, "(running + waiting) / slots");
        telemetry.turn("e", 1, 0, 1, 3072);
        assertEquals(0.75, gauge("specd_saturation", "engine", "e"), 1e-12, "the KV cache binds first");
        telemetry.turn("e", 0, 0, 0, 0);
        assertEquals(0, gauge("specd_saturation", "engine", "e"));
    }

    @Test
    void anEngineWhoseThreadStopsTurningIsStalled() {
        long[] now = {0};
        MicrometerTelemetry t = new MicrometerTelemetry(registry, null, () -> now[0]);
        t.engineStarted("e", 1, 1, 16);
        now[0] = TimeUnit.SECONDS.toNanos(30);
        assertEquals(Map.of(), t.stalledEngines(Duration.ofMinutes(1)));
        t.turn("e", 0, 0, 0, 0);
        now[0] += TimeUnit.SECONDS.toNanos(61);
        assertEquals(Map.of("e", Duration.ofSeconds(61)), t.stalledEngines(Duration.ofMinutes(1)));
        assertEquals(61, gauge("specd_engine_turn_age_seconds", "engine", "e"), 1e-9);
        t.turn("e", 0, 0, 0, 0);
        assertEquals(Map.of(), t.stalledEngines(Duration.ofMinutes(1)));
    }

    @Test
    void aStartedPipelineHasItsSeriesAtZero() {
        MicrometerTelemetry t = new MicrometerTelemetry(registry, "model", System::nanoTime);
        t.pipelineStarted("p", "e", 3, Set.of(SpeculationMode.OFF, SpeculationMode.LOSSLESS));
        for (String mode : List.of("off", "lossless")) {
            for (String reason : List.of("stop", "length", "cancelled", "error")) {
                assertEquals(0, counter("specd_requests", "pipeline", "p", "mode", mode, "finish_reason", reason));
            }
            assertEquals(0, counter("specd_energy_joules", "pipeline", "p", "mode", mode, "source", "model"));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(0, counter("specd_spec_decode_num_accepted_tokens_per_pos", "pipeline", "p", "mode", "lossless",
                    "position", Integer.toString(i)));
        }
        assertNull(registry.find("specd_spec_decode_num_accepted_tokens_per_pos").tag("position", "3").counter());
        assertNull(registry.find("specd_spec_decode_num_drafts").tags("mode", "off").counter());
        assertNull(registry.find("specd_requests").tags("mode", "cascade").counter(), "only the modes it may run");
        assertEquals(0, counter("specd_energy_idle_joules", "source", "model"));
        assertEquals(1, gauge("specd_pipeline_info", "pipeline", "p", "engine", "e"));
        assertEquals(0, counter("specd_cascade_escalations", "pipeline", "p"));
        assertEquals(0, registry.get("specd_time_to_first_token").tags("pipeline", "p").timer().count());
        assertTrue(Double.isNaN(gauge("specd_saturation", "engine", "e")), "no capacity reported yet");
    }

    @Test
    void theDraftLengthGaugeFollowsRoundsOfEveryModeAndTheAdaptiveOff() {
        telemetry.round("p", SpeculationMode.CASCADE, new RoundRecord(13, 12, 12, false, 0, 0, 14));
        assertEquals(13, gauge("specd_speculation_k", "pipeline", "p"), "the cascade's unverified run");
        telemetry.chosenK("p", 6);
        assertEquals(13, gauge("specd_speculation_k", "pipeline", "p"), "a choice shows with its round");
        telemetry.round("p", SpeculationMode.LOSSLESS, new RoundRecord(5, 2, 2, false, 0, 0, 6));
        assertEquals(5, gauge("specd_speculation_k", "pipeline", "p"), "an early stop drafts fewer than chosen");
        telemetry.chosenK("p", 0);
        assertEquals(0, gauge("specd_speculation_k", "pipeline", "p"), "deoptimised");
    }

    @Test
    void policyDecisionsAreCounted() {
        telemetry.escalation("p");
        telemetry.deoptimised("p");
        assertEquals(1, counter("specd_cascade_escalations", "pipeline", "p"));
        assertEquals(1, counter("specd_deoptimisations", "pipeline", "p"));
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private static Telemetry.RequestOutcome outcome(SpeculationMode mode, int prompt, int completion, long e2e,
                                                    long firstToken) {
        return new Telemetry.RequestOutcome(FinishReason.LENGTH, mode, prompt, completion, e2e, firstToken,
                new SpeculationSummary(mode, 0, 0, 0, completion, 0));
    }
}
