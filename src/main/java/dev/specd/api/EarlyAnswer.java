package dev.specd.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * An OpenAI-shaped error sent from a route that runs before JAX-RS (authentication, body limits),
 * where no exception mapper sees it.
 */
final class EarlyAnswer {

    /** Routing-context key of a request answered here: later failures of its body read are ours. */
    static final String ANSWERED = EarlyAnswer.class.getName() + ".answered";

    private EarlyAnswer() {
    }

    static boolean answered(RoutingContext ctx) {
        return ctx.get(ANSWERED) != null;
    }

    /**
     * Sends {@code error}. An HTTP/1 connection whose request body has not been (wholly) read is closed
     * after it: the rest of the body may still be on its way, and reading it only to throw it away
     * would let a client make us read without bound.
     */
    static void send(RoutingContext ctx, ObjectMapper json, ApiException error) {
        String body;
        try {
            body = json.writeValueAsString(error.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body could not be written", e);
        }
        send(ctx, error.status(), error.retryAfterSeconds(), body);
    }

    private static boolean hasBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !length.trim().equals("0") : ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    static void send(RoutingContext ctx, int status, int retryAfterSeconds, String body) {
        ctx.put(ANSWERED, Boolean.TRUE);
        boolean close = ctx.request().version() != HttpVersion.HTTP_2 && !ctx.request().isEnded() && hasBody(ctx);
        if (close) ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        if (retryAfterSeconds > 0) ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        if (status == 401) ctx.response().putHeader("WWW-Authenticate", "Bearer");
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body).onComplete(v -> {
                    if (close) ctx.request().connection().close();
                });
    }
}
