package dev.specd.metrics;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.RoundRecord;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

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
        // (2 s - 0.5 s) over the 19 tokens after the first
        double tpot = registry.get("specd_time_per_output_token").tags("pipeline", "p").timer().mean(TimeUnit.NANOSECONDS);
        assertEquals(1_500_000_000L / 19, tpot, 1);
        // the pipeline's mode-less series exist from then on
        assertNotNull(registry.find("specd_num_requests_running").tags("pipeline", "p").gauge());
        assertTrue(Double.isNaN(registry.get("specd_speculation_k").tags("pipeline", "p").gauge().value()),
                "no policy reported a k yet");
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
    void gaugesFollowTheLastTurnAndTheLastChosenK() {
        telemetry.turn("p", 3, 2, 17, 400);
        telemetry.chosenK("p", 6);
        assertEquals(3, registry.get("specd_num_requests_running").tags("pipeline", "p").gauge().value());
        assertEquals(2, registry.get("specd_num_requests_waiting").tags("pipeline", "p").gauge().value());
        assertEquals(17, registry.get("specd_batch_rows").tags("pipeline", "p").gauge().value());
        assertEquals(400, registry.get("specd_kv_cache_used_cells").tags("pipeline", "p").gauge().value());
        assertEquals(6, registry.get("specd_speculation_k").tags("pipeline", "p").gauge().value());
        telemetry.escalation("p");
        telemetry.deoptimised("p");
        assertEquals(1, counter("specd_cascade_escalations", "pipeline", "p"));
        assertEquals(1, counter("specd_deoptimisations", "pipeline", "p"));
    }

    private static Telemetry.RequestOutcome outcome(SpeculationMode mode, int prompt, int completion, long e2e,
                                                    long firstToken) {
        return new Telemetry.RequestOutcome(FinishReason.LENGTH, mode, prompt, completion, e2e, firstToken,
                new SpeculationSummary(mode, 0, 0, 0, completion, 0));
    }
}
