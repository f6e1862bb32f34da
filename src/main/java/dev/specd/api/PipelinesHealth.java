package dev.specd.api;

import dev.specd.sched.Engine;
import dev.specd.sched.PipelineRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every engine's models are loaded and calibrated; reports each engine's running and waiting requests. */
@Readiness
@ApplicationScoped
public class PipelinesHealth implements HealthCheck {

    @Inject
    PipelineRegistry registry;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("pipelines").status(registry.isReady());
        registry.failure().ifPresent(f -> b.withData("failure", f));
        for (Engine e : registry.engines()) {
            b.withData(e.id(), e.runningSequences() + " running, " + e.waitingRequests() + " waiting");
        }
        return b.build();
    }
}
