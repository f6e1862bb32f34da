package dev.specd.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.specd.plan.OverrideException;
import dev.specd.sampling.InvalidSamplingParameterException;
import dev.specd.sched.QueueFullException;
import dev.specd.sched.RequestTimeoutException;
import dev.specd.sched.SchedulerException;
import dev.specd.sched.ShuttingDownException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Every failure leaves as an OpenAI-style error with the right status: bad input is a 400 naming
 * the parameter, never a 500 or a stack trace; only our own faults are 500s, logged here.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private static final int RETRY_AFTER_SECONDS = ApiException.RETRY_AFTER_SECONDS;

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return respond(e);
    }

    @ServerExceptionMapper
    public Response sampling(InvalidSamplingParameterException e) {
        return respond(ApiException.invalid(e.param(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response scheduler(SchedulerException e) {
        return respond(scheduling(e));
    }

    @ServerExceptionMapper
    public Response override(OverrideException e) {
        return respond(ApiException.invalid(e.field(), e.getMessage()));
    }

    /**
     * The scheduler's refusals and failures as OpenAI errors; shared with streams, which send the
     * same body as their last event.
     * <ul>
     * <li>queue full: 429 {@code rate_limit_error}, Retry-After;
     * <li>timed out while still queued: 503 {@code timeout}/{@code queue_timeout}, Retry-After —
     *     the server is overloaded, a later retry can succeed;
     * <li>timed out while generating: 504 {@code timeout}/{@code request_timeout} — the request
     *     itself takes longer than the server allows (408 would blame the client's upload);
     * <li>shutting down: 503 {@code server_error}/{@code server_shutting_down}, Retry-After — a
     *     retry reaches another or the restarted instance.
     * </ul>
     */
    static ApiException scheduling(SchedulerException e) {
        return switch (e) {
            case QueueFullException q -> new ApiException(429, "rate_limit_error", null, "queue_full", q.getMessage(),
                    q.retryAfterSeconds());
            case RequestTimeoutException t when t.started() -> new ApiException(504, "timeout", null,
                    "request_timeout", t.getMessage(), 0);
            case RequestTimeoutException t -> new ApiException(503, "timeout", null, "queue_timeout", t.getMessage(),
                    RETRY_AFTER_SECONDS);
            case ShuttingDownException s -> shuttingDown();
        };
    }

    static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, "server_shutting_down", "server shutting down",
                RETRY_AFTER_SECONDS);
    }

    /** Quarkus has its own mapper for this type (an answer in another shape): ours must be as specific. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String param = null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            param = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        ApiException strict = StrictJson.refusal(e, param);
        if (strict != null) return respond(strict);
        String what = e.getOriginalMessage();
        int cut = what.indexOf('\n');
        if (cut > 0) what = what.substring(0, cut);
        return respond(ApiException.invalid(param, param == null
                ? "We could not parse the JSON body of your request: " + what
                : "Invalid type for '" + param + "': " + what));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, io.vertx.core.http.HttpServerRequest request) {
        // The JSON body reader wraps Jackson's exception (which knows the field) in a 400.
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException j) return json(j);
        }
        int status = e.getResponse().getStatus();
        if (status == 413) return respond(ApiException.bodyTooLarge());
        // Clients read a bare 404 as "model not found": name the path instead.
        if (status == 404) return respond(ApiException.unknownPath(request.method().name(), request.path()));
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        String message = switch (status) {
            case 405 -> "Method not allowed for this endpoint";
            case 415 -> "Unsupported content type: send application/json";
            default -> e.getMessage();
        };
        return respond(new ApiException(status, type, null, null, message, 0));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure while serving a request", e);
        return respond(new ApiException(500, "server_error", null, null,
                "The server had an error while processing your request", 0));
    }

    static Response respond(ApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body());
        if (e.retryAfterSeconds() > 0) r.header("Retry-After", e.retryAfterSeconds());
        // OpenAI's SDKs retry 5xx (and 408/409/429) unless told not to: a 504 took the whole request
        // timeout already, and a retry would triple the load; a 400 can never succeed as it is.
        if (e.status() == 400 || e.status() == 504) r.header("x-should-retry", "false");
        return r.build();
    }
}
