package dev.specd.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body over {@code quarkus.http.limits.max-body-size} with a 413 in OpenAI's error shape.
 * Quarkus enforces that limit itself, but before JAX-RS and with an empty body, so no exception
 * mapper ever sees it: this route runs just before Quarkus' own check. A body that announces its
 * length is refused on its headers; a chunked one, whose length shows only as it arrives, is read
 * by Vert.x's {@link BodyHandler} up to the limit (Quarkus REST then reads the buffered body).
 */
@ApplicationScoped
public class BodyLimit {

    /** Routing-context key of a request we answered with a 413. */
    private static final String REFUSED = BodyLimit.class.getName() + ".refused";

    private final long limit;
    private final String tooLarge;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper json)
            throws JsonProcessingException {
        this.limit = limit.asLongValue();
        // The same answer as ErrorMappers gives a 413 that reaches JAX-RS.
        this.tooLarge = json.writeValueAsString(ApiException.bodyTooLarge().body());
    }

    void install(@Observes Router router) {
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(limit);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
                .handler(ctx -> {
                    HttpServerRequest request = ctx.request();
                    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
                    if (length != null) {
                        if (announcedTooLarge(length)) refuse(ctx);
                        else ctx.next();
                    } else if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                            || request.version() == HttpVersion.HTTP_2) { // HTTP/2 frames bodies without either header
                        chunked.handle(ctx);
                    } else {
                        ctx.next();
                    }
                })
                .failureHandler(ctx -> {
                    if (ctx.get(REFUSED) != null) return; // closing the connection fails the body read too: said already
                    if (ctx.statusCode() == 413 && !ctx.response().headWritten()) refuse(ctx);
                    else ctx.next();
                });
    }

    private boolean announcedTooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // not ours to judge: Vert.x rejects a malformed Content-Length itself
        }
    }

    /**
     * Answers and closes the connection: the rest of the body may still be on its way, and reading
     * it only to throw it away would let a client make us read without bound.
     */
    private void refuse(RoutingContext ctx) {
        ctx.put(REFUSED, Boolean.TRUE);
        boolean http1 = ctx.request().version() != HttpVersion.HTTP_2;
        if (http1) ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(tooLarge).onComplete(v -> {
                    if (http1) ctx.request().connection().close();
                });
    }
}
