package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.specd.plan.ExecutionPlan;
import dev.specd.sched.Pipeline;
import dev.specd.sched.PipelineRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** The compiled plans of the served pipelines, like a compiler's IR dump. */
@Path("/v1/pipelines")
@Produces(MediaType.APPLICATION_JSON)
public class PipelinesResource {

    @Inject
    PipelineRegistry registry;

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
        Pipeline p = registry.find(id).orElseThrow(() -> new ApiException(404, "invalid_request_error", "id",
                "pipeline_not_found", "The pipeline '" + id + "' does not exist", 0));
        return PipelineView.of(p);
    }
}
