package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.engine.ChatMessage;
import dev.specd.engine.Vocab;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sched.Pipeline;
import dev.specd.sched.PipelineRegistry;
import io.smallrye.common.annotation.RunOnVirtualThread;
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
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The OpenAI-compatible endpoints. Requests are checked and tokenised on a virtual thread (never
 * the event loop; any number may wait for their generations, so the engine's admission queue is
 * the only limit); generation runs on the pipeline's engine thread. Streams are Server-Sent
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

    @Inject
    RequestLimits limits;

    @Inject
    KeyLimits keyLimits;

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

    private Responses.Model model(Pipeline p) {
        return new Responses.Model(p.id(), "model", registry.createdEpochSeconds(), "specd");
    }

    @POST
    @Path("/completions")
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @RunOnVirtualThread
    public Response completions(CompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        Pipeline engine = pipeline(request.model());
        PromptBudget budget = limits.begin(request.logitBias(), engine.target().vocab(), engine.plan().sequenceBudget(),
                http);
        int logprobs = RequestMapper.completionLogprobs(request.logprobs());
        int[] prompt = RequestMapper.completionPrompt(request.prompt(), budget);
        GenerationRequest g = RequestMapper.generation(engine, prompt, request.maxTokens(), "max_tokens", request,
                "prompt", logprobs);
        return serve(engine, RequestMapper.choices(g, request.n()), new ResponseShape.Text(), request, http);
    }

    @POST
    @Path("/chat/completions")
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @RunOnVirtualThread
    public Response chat(ChatCompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        Pipeline engine = pipeline(request.model());
        PromptBudget budget = limits.begin(request.logitBias(), engine.target().vocab(), engine.plan().sequenceBudget(),
                http);
        int logprobs = RequestMapper.chatLogprobs(request.logprobs(), request.topLogprobs());
        List<ChatMessage> messages = RequestMapper.messages(request.messages());
        budget.checkBytes(messages.stream().mapToLong(m -> PromptBudget.utf8Length(m.content())).sum(), "messages");
        String text = engine.target().applyChatTemplate(messages, true);
        int[] prompt = budget.tokenize(text, "messages");
        boolean completionTokens = request.maxCompletionTokens() != null;
        GenerationRequest g = RequestMapper.generation(engine, prompt,
                completionTokens ? request.maxCompletionTokens() : request.maxTokens(),
                completionTokens ? "max_completion_tokens" : "max_tokens", request, "messages", logprobs);
        return serve(engine, RequestMapper.choices(g, request.n()), new ResponseShape.Chat(), request, http);
    }

    private Pipeline pipeline(String model) {
        if (registry.isShuttingDown()) throw ErrorMappers.shuttingDown();
        if (registry.failure().isPresent()) throw ApiException.unavailable("models failed to load: " + registry.failure().get());
        if (!registry.isReady()) throw ApiException.unavailable("models are still loading; retry shortly");
        if (model == null || model.isBlank()) {
            return registry.all().stream().findFirst().orElseThrow(() -> ApiException.unavailable("no pipeline is loaded"));
        }
        return registry.find(model).orElseThrow(() -> ApiException.modelNotFound(model));
    }

    /** Runs the request's choices (batched together on the pipeline's engine) and answers whole or streamed. */
    private Response serve(Pipeline engine, List<GenerationRequest> choices, ResponseShape shape, SamplingFields r,
                           RoutingContext http) {
        ResponseShape.Head head = new ResponseShape.Head(shape.newId(), System.currentTimeMillis() / 1000,
                engine.plan().id());
        Vocab vocab = choices.getFirst().wantsLogprobs() ? engine.target().vocab() : null;
        // The key's token budget is checked (429) before anything is queued.
        KeyUsage usage = keyLimits.charge(http, choices.getFirst().prompt().length, choices.getFirst().maxTokens(),
                choices.size());
        EventQueue events = EventQueue.submit(engine, choices, usage);
        // The response ending (sent, or its connection closed) is the only sign of a client that
        // went away while we compute; cancelling finished generations is a no-op.
        http.addEndHandler(v -> events.cancel());
        long eventTimeout = engine.requestTimeout().toMillis() + STUCK_MARGIN_MS;
        if (Boolean.TRUE.equals(r.stream())) {
            boolean includeUsage = r.streamOptions() != null && Boolean.TRUE.equals(r.streamOptions().includeUsage());
            StreamingOutput body = out -> new StreamWriter(json, shape, head, events, vocab, includeUsage, out)
                    .write(eventTimeout);
            return Response.ok(body, SSE).header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no").build();
        }
        try {
            return Response.ok(WholeAnswer.collect(events, shape, head, vocab, eventTimeout))
                    .type(MediaType.APPLICATION_JSON).build();
        } catch (InterruptedException e) {
            events.cancel();
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        } catch (IOException e) {
            events.cancel();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            events.cancel();
            throw e;
        }
    }
}
