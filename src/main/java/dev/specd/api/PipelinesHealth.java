package dev.specd.api;

import dev.specd.sched.EngineLoop;
import dev.specd.sched.PipelineRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every pipeline's models are loaded; reports each pipeline's running and waiting requests. */
@Readiness
@ApplicationScoped
public class PipelinesHealth implements HealthCheck {

    @Inject
    PipelineRegistry registry;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("pipelines").status(registry.isReady());
        registry.failure().ifPresent(f -> b.withData("failure", f));
        for (EngineLoop e : registry.all()) {
            b.withData(e.plan().id(), e.runningSequences() + " running, " + e.waitingRequests() + " waiting");
        }
        return b.build();
    }
}
