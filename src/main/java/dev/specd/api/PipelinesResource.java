package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.specd.plan.ExecutionPlan;
import dev.specd.sched.Pipeline;
import dev.specd.sched.PipelineRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The compiled plans of the served pipelines, like a compiler's IR dump. */
@Path("/v1/pipelines")
@Produces(MediaType.APPLICATION_JSON)
public class PipelinesResource {

    private final PipelineRegistry registry;
    private final MeterRegistry meters;

    @Inject
    public PipelinesResource(PipelineRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    /**
     * @param plan the plan as {@code specd plan} prints it
     */
    public record PipelineView(String id, String description, String engine, String mode, String target,
                               List<String> drafters, int k, String policy,
                               @JsonProperty("context_length") int contextLength, int sequences,
                               @JsonProperty("verify_rows") int verifyRows, List<String> passes, String plan) {
        static PipelineView of(Pipeline pipeline) {
            ExecutionPlan p = pipeline.plan();
            return new PipelineView(p.id(), p.description(), pipeline.engine().id(), p.speculation().mode().wireName(),
                    p.target().model().describe(), p.drafters().stream().map(d -> d.describe()).toList(),
                    p.speculation().k(), p.speculation().policy().policy().wireName(), p.target().contextLength(),
                    p.target().sequences(), p.verifyRows(), p.passes(), p.dump());
        }
    }

    public record PipelineList(String object, List<PipelineView> data) {
    }

    @GET
    public PipelineList list() {
        return new PipelineList("list", registry.all().stream().map(PipelineView::of).toList());
    }

    @GET
    @Path("/{id}")
    public PipelineView get(@PathParam("id") String id) {
        return PipelineView.of(find(id));
    }

    /** What the closed form predicts from the preset's live profile, per draft length (docs/speculation.md). */
    @GET
    @Path("/{id}/advice")
    public PipelineAdvice advice(@PathParam("id") String id) {
        Pipeline p = find(id);
        double joules = meters.find("specd_energy_joules").tag("pipeline", id).counters().stream()
                .mapToDouble(Counter::count).sum();
        double seconds = meters.find("specd_e2e_request_latency").tag("pipeline", id).timers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.SECONDS)).sum();
        // Power charged to the preset's requests while they ran; without joules there is no figure to scale.
        Double watts = joules > 0 && seconds > 0 ? joules / seconds : null;
        String source = meters.find("specd_energy_joules").tag("pipeline", id).counters().stream()
                .map(c -> c.getId().getTag("source")).filter(java.util.Objects::nonNull).findFirst().orElse("none");
        return PipelineAdvice.of(p, watts, source);
    }

    private Pipeline find(String id) {
        return registry.find(id).orElseThrow(() -> new ApiException(404, "invalid_request_error", "id",
                "pipeline_not_found", "The pipeline '" + id + "' does not exist", 0));
    }
}
