package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

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

    @Inject
    TemplateRegistry templates;

    @Inject
    ConstraintRegistry constraints;

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
    @APIResponse(responseCode = "200", description = "A completion, or its chunks as Server-Sent Events", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Responses.Completion.class)),
            @Content(mediaType = SSE, schema = @Schema(implementation = Responses.CompletionChunk.class))})
    @APIResponse(responseCode = "400", description = "A request field that is invalid or not supported, named in error.param",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @RunOnVirtualThread
    public Response completions(CompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        Pipeline engine = engine(request.model());
        PromptBudget budget = limits.begin(request.logitBias(), engine.target().vocab(), engine.plan().sequenceBudget(),
                http);
        int logprobs = RequestMapper.completionLogprobs(request.logprobs());
        CompletionMapper.checkUnsupported(request);
        Vocab vocab = engine.target().vocab();
        var constraint = GuidedMapper.constraint(request, constraints.of(vocab));
        List<int[]> prompts = CompletionMapper.prompts(request.prompt(), budget);
        List<GenerationRequest> choices = new java.util.ArrayList<>();
        List<String> echoes = new java.util.ArrayList<>();
        for (int[] prompt : prompts) {
            GenerationRequest g = RequestMapper.generation(engine, prompt, request.maxTokens(), "max_tokens", request,
                    "prompt", logprobs);
            choices.addAll(RequestMapper.choices(RequestMapper.constrained(g, constraint), request.n()));
            if (Boolean.TRUE.equals(request.echo())) echoes.add(CompletionMapper.echo(prompt, vocab));
        }
        int perPrompt = request.n() == null ? 1 : request.n();
        return serve(engine, choices, new ResponseShape.Text(perPrompt, echoes), request, http);
    }

    @POST
    @Path("/chat/completions")
    @APIResponse(responseCode = "200", description = "A chat completion, or its chunks as Server-Sent Events", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Responses.ChatCompletion.class)),
            @Content(mediaType = SSE, schema = @Schema(implementation = Responses.ChatCompletionChunk.class))})
    @APIResponse(responseCode = "400", description = "A request field that is invalid or not supported, named in error.param",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @Produces({MediaType.APPLICATION_JSON, SSE})
    @RunOnVirtualThread
    public Response chat(ChatCompletionRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        ChatRun run = prepareChat(request, "max_tokens", http);
        return serve(run.engine(), run.choices(), run.shape(), request, http);
    }

    /** A chat request checked, rendered and ready to submit. */
    record ChatRun(Pipeline engine, List<GenerationRequest> choices, ResponseShape.Chat shape) {
    }

    /** @param maxTokensName how the request spells its max_tokens (max_output_tokens on /v1/responses) */
    ChatRun prepareChat(ChatCompletionRequest request, String maxTokensName, RoutingContext http) {
        Pipeline engine = engine(request.model());
        PromptBudget budget = limits.begin(request.logitBias(), engine.target().vocab(), engine.plan().sequenceBudget(),
                http);
        int logprobs = RequestMapper.chatLogprobs(request.logprobs(), request.topLogprobs());
        if (request.messages() == null || request.messages().isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array");
        }
        ChatMapper.Prepared chat = ChatMapper.prepare(request, engine.target(), templates,
                constraints.of(engine.target().vocab()), budget);
        boolean completionTokens = request.maxCompletionTokens() != null;
        GenerationRequest g = RequestMapper.generation(engine, chat.prompt(),
                completionTokens ? request.maxCompletionTokens() : request.maxTokens(),
                completionTokens ? "max_completion_tokens" : maxTokensName, request, "messages", logprobs);
        g = RequestMapper.constrained(g, chat.constraint());
        return new ChatRun(engine, RequestMapper.choices(g, request.n()), new ResponseShape.Chat(chat.tools()));
    }

    /**
     * Submits a request's choices, metered for its API key (whose token budget is checked, 429,
     * before anything is queued); cancelled when the HTTP response ends (sent, or the client gone).
     */
    EventQueue submit(Pipeline engine, List<GenerationRequest> choices, RoutingContext http) {
        KeyUsage usage = keyLimits.charge(http, choices.getFirst().prompt().length, choices.getFirst().maxTokens(),
                choices.size());
        EventQueue events = EventQueue.submit(engine, choices, usage);
        // The response ending (sent, or its connection closed) is the only sign of a client that
        // went away while we compute; cancelling finished generations is a no-op.
        http.addEndHandler(v -> events.cancel());
        return events;
    }

    static long eventTimeout(Pipeline engine) {
        return engine.requestTimeout().toMillis() + STUCK_MARGIN_MS;
    }

    Pipeline engine(String model) {
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
        EventQueue events = submit(engine, choices, http);
        long eventTimeout = eventTimeout(engine);
        if (Boolean.TRUE.equals(r.stream())) {
            boolean includeUsage = r.streamOptions() != null && Boolean.TRUE.equals(r.streamOptions().includeUsage());
            StreamingOutput body = out -> new StreamWriter(json, shape, head, events, vocab, includeUsage, out)
                    .write(eventTimeout);
            return Response.ok(body, SSE).header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no").build();
        }
        return Response.ok(whole(events, shape, head, vocab, eventTimeout)).type(MediaType.APPLICATION_JSON).build();
    }

    /** A whole (non-streamed) answer; whatever ends the wait early cancels the generations. */
    static Object whole(EventQueue events, ResponseShape shape, ResponseShape.Head head, Vocab vocab, long eventTimeout) {
        try {
            return WholeAnswer.collect(events, shape, head, vocab, eventTimeout);
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
