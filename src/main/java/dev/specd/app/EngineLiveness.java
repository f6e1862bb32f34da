package dev.specd.app;

import dev.specd.metrics.MicrometerTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.util.Map;

/**
 * Live while every engine thread keeps turning: a thread stuck in a decode (or dead) stops its
 * heartbeat, and liveness then fails so that the orchestrator restarts the server, where the HTTP
 * server alone would go on answering. The turns are the ones the metrics see
 * ({@code specd_engine_turn_age_seconds}).
 */
@Liveness
@ApplicationScoped
public class EngineLiveness implements HealthCheck {

    private final MicrometerTelemetry telemetry;
    private final Duration limit;

    @Inject
    public EngineLiveness(MicrometerTelemetry telemetry, SpecdConfig config) {
        this.telemetry = telemetry;
        this.limit = config.health().engineStallTimeout();
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, Duration> stalled = telemetry.stalledEngines(limit);
        HealthCheckResponseBuilder b = HealthCheckResponse.named("engines").status(stalled.isEmpty())
                .withData("stall-timeout", limit.toString());
        stalled.forEach((engine, age) -> b.withData(engine, "no turn for " + age.toSeconds() + " s"));
        return b.build();
    }
}
