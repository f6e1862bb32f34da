package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.engine.ChatMessage;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sched.EngineLoop;
import dev.specd.sched.PipelineRegistry;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenAI-compatible endpoints. Requests are checked and tokenised on a worker thread (never
 * the event loop); generation runs on the pipeline's engine thread. Streams are Server-Sent
 * Events ending with {@code data: [DONE]}; a client that goes away cancels its generation.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OpenAiResource {

    /** Clients that stream may ask for SSE in Accept; the body's "stream" field decides. */
    private static final String SSE = "text/event-stream";

    /**
     * Beyond the request timeout, how long we wait for the next event before we call the engine
     * stuck: it ends every request by its deadline (to within one turn), even one still queued.
     */
    private static final long STUCK_MARGIN_MS = 60_000;

    @Inject
    PipelineRegistry registry;

    @Inject
    ObjectMapper json;

    @GET
    @Path("/models")
    public Responses.ModelList models() {
        return new Responses.ModelList("list", registry.all().stream().map(this::model).toList());
    }

    @GET
    @Path("/models/{id}")
    public Responses.Model model(@PathParam("id") String id) {
        return model(registry.find(id).orElseThrow(() -> ApiException.modelNotFound(id)));
    }

    private Responses.Model model(EngineLoop e) {
        return new Responses.Model(e.plan().id(), "model", registry.createdEpochSeconds(), "specd");
    }

    @POST
    @Path("/completions")
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @Blocking
    public Response completions(CompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        EngineLoop engine = engine(request.model());
        int[] prompt = RequestMapper.completionPrompt(request.prompt(), engine.target().vocab());
        GenerationRequest g = RequestMapper.generation(engine, prompt, request.maxTokens(), "max_tokens", request, "prompt");
        return serve(engine, g, new ResponseShape.Text(), Boolean.TRUE.equals(request.stream()), http);
    }

    @POST
    @Path("/chat/completions")
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @Blocking
    public Response chat(ChatCompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        EngineLoop engine = engine(request.model());
        List<ChatMessage> messages = RequestMapper.messages(request.messages());
        String text = engine.target().applyChatTemplate(messages, true);
        int[] prompt = engine.target().vocab().tokenize(text, true, true);
        boolean completionTokens = request.maxCompletionTokens() != null;
        GenerationRequest g = RequestMapper.generation(engine, prompt,
                completionTokens ? request.maxCompletionTokens() : request.maxTokens(),
                completionTokens ? "max_completion_tokens" : "max_tokens", request, "messages");
        return serve(engine, g, new ResponseShape.Chat(), Boolean.TRUE.equals(request.stream()), http);
    }

    private EngineLoop engine(String model) {
        if (registry.isShuttingDown()) throw ErrorMappers.shuttingDown();
        if (registry.failure().isPresent()) throw ApiException.unavailable("models failed to load: " + registry.failure().get());
        if (!registry.isReady()) throw ApiException.unavailable("models are still loading; retry shortly");
        if (model == null || model.isBlank()) {
            return registry.all().stream().findFirst().orElseThrow(() -> ApiException.unavailable("no pipeline is loaded"));
        }
        return registry.find(model).orElseThrow(() -> ApiException.modelNotFound(model));
    }

    private Response serve(EngineLoop engine, GenerationRequest g, ResponseShape shape, boolean stream,
                           RoutingContext http) {
        String id = shape.newId();
        long created = System.currentTimeMillis() / 1000;
        String model = engine.plan().id();
        EventQueue events = new EventQueue(engine.submit(g));
        RuntimeException early = events.earlyFailure();
        if (early != null) throw early;
        // The response ending (sent, or its connection closed) is the only sign of a client that
        // went away while we compute; cancelling a finished generation is a no-op.
        http.addEndHandler(v -> events.cancel());
        long eventTimeout = engine.requestTimeout().toMillis() + STUCK_MARGIN_MS;
        if (!stream) return complete(events, eventTimeout, shape, id, created, model);
        StreamingOutput body = out -> stream(events, eventTimeout, shape, id, created, model, out);
        return Response.ok(body, SSE).header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no").build();
    }

    private Response complete(EventQueue events, long eventTimeout, ResponseShape shape, String id, long created,
                              String model) {
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                switch (events.next(eventTimeout)) {
                    case EventQueue.Event(GenerationEvent.Text t) -> text.append(t.text());
                    case EventQueue.Event(GenerationEvent.Done d) -> {
                        if (d.reason() == FinishReason.ERROR || d.reason() == FinishReason.CANCELLED) {
                            throw new ApiException(500, "server_error", null, null, "generation failed: "
                                    + (d.error() != null ? d.error() : d.reason().openAi()), 0);
                        }
                        return Response.ok(shape.complete(id, created, model, text.toString(), d.reason().openAi(),
                                Responses.Usage.of(d.promptTokens(), d.completionTokens()),
                                SpeculationMapper.report(d.speculation())))
                                .type(MediaType.APPLICATION_JSON).build();
                    }
                    case EventQueue.Failure(Throwable t) -> throw t instanceof RuntimeException r ? r
                            : new IllegalStateException(t);
                    case EventQueue.End end -> throw new IllegalStateException("generation ended without a result");
                }
            }
        } catch (InterruptedException e) {
            events.cancel();
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        } catch (RuntimeException e) {
            events.cancel();
            throw e;
        }
    }

    private void stream(EventQueue events, long eventTimeout, ResponseShape shape, String id, long created,
                        String model, OutputStream out) throws IOException {
        try {
            Object opening = shape.opening(id, created, model);
            if (opening != null) send(out, opening);
            while (true) {
                switch (events.next(eventTimeout)) {
                    case EventQueue.Event(GenerationEvent.Text t) -> {
                        if (!t.text().isEmpty()) send(out, shape.chunk(id, created, model, t.text()));
                    }
                    case EventQueue.Event(GenerationEvent.Done d) -> {
                        if (d.reason() == FinishReason.ERROR || d.reason() == FinishReason.CANCELLED) {
                            send(out, new ApiException(500, "server_error", null, null, "generation failed: "
                                    + (d.error() != null ? d.error() : d.reason().openAi()), 0).body());
                        } else {
                            send(out, shape.closing(id, created, model, d.reason().openAi(),
                                    SpeculationMapper.report(d.speculation())));
                        }
                        done(out);
                        return;
                    }
                    case EventQueue.Failure(Throwable t) -> {
                        // A timeout or shutdown ends a stream with the error a plain request would get.
                        ApiException known = t instanceof RuntimeException r ? ErrorMappers.scheduling(r) : null;
                        send(out, (known != null ? known : new ApiException(500, "server_error", null, null,
                                "generation failed: " + t.getMessage(), 0)).body());
                        done(out);
                        return;
                    }
                    case EventQueue.End end -> {
                        done(out);
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            events.cancel(); // the client is gone (or we failed): free the sequence now
            throw e;
        } catch (InterruptedException e) {
            events.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private void send(OutputStream out, Object chunk) throws IOException {
        out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void done(OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
