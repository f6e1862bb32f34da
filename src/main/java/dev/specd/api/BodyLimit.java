package dev.specd.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * Reads every HTTP/1 request body on the event loop, in full, before any worker thread is taken:
 * Quarkus REST would otherwise block a worker in its input stream until the body arrives, and a
 * few hundred clients that send headers and half a body would hold every worker (and with them
 * {@code /v1/models}, readiness and metrics). Quarkus REST then reads the buffered body. (HTTP/2
 * bodies cannot be buffered ahead: see {@link #install}; the generation endpoints read them on
 * virtual threads, which any number of stalled uploads cannot run out of, under Quarkus' own
 * {@code quarkus.http.read-timeout} of silence.)
 * <ul>
 * <li>A body over {@code quarkus.http.limits.max-body-size} is a 413 in OpenAI's error shape
 *     (Quarkus' own check answers before JAX-RS, with an empty body): refused on its headers when
 *     it announces its length, else once it passes the limit.
 * <li>A body must arrive within {@code specd.http.body-timeout} and never pause longer than
 *     {@code specd.http.body-idle-timeout}; else 408 and the connection is closed.
 * <li>A client that goes away while sending is an expected condition: one DEBUG line.
 * </ul>
 */
@ApplicationScoped
public class BodyLimit {

    private static final Logger LOG = Logger.getLogger(BodyLimit.class);

    private final long limit;
    private final long timeoutMillis;
    private final long idleMillis;
    private final String tooLarge;
    private final ObjectMapper json;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ApiConfig config,
              ObjectMapper json) throws JsonProcessingException {
        this.limit = limit.asLongValue();
        this.timeoutMillis = Math.max(1, config.http().bodyTimeout().toMillis());
        this.idleMillis = Math.max(1, config.http().bodyIdleTimeout().toMillis());
        this.json = json;
        // The same answer as ErrorMappers gives a 413 that reaches JAX-RS.
        this.tooLarge = json.writeValueAsString(ApiException.bodyTooLarge().body());
    }

    void install(@Observes Router router) {
        BodyHandler buffer = BodyHandler.create(false).setBodyLimit(limit);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
                .handler(ctx -> {
                    HttpServerRequest request = ctx.request();
                    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
                    if (length != null && announcedTooLarge(length)) {
                        EarlyAnswer.send(ctx, 413, 0, tooLarge);
                    } else if (request.version() == HttpVersion.HTTP_2) {
                        // Quarkus REST pauses every request it takes, and an HTTP/2 request that has
                        // ended cannot be paused: its body is read by the (virtual) thread serving
                        // it, within quarkus.http.read-timeout of silence.
                        ctx.next();
                    } else if (length != null ? !length.trim().equals("0")
                            : request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                        new Watch(ctx).start();
                        buffer.handle(ctx);
                    } else {
                        ctx.next();
                    }
                })
                .failureHandler(ctx -> {
                    if (EarlyAnswer.answered(ctx)) return; // closing the connection fails the body read too: said already
                    if (clientGone(ctx)) {
                        LOG.debugf("client went away while sending %s %s: %s", ctx.request().method(),
                                ctx.normalizedPath(), String.valueOf(ctx.failure()));
                        return; // nobody to answer
                    }
                    if (ctx.statusCode() == 413 && !ctx.response().headWritten()) EarlyAnswer.send(ctx, 413, 0, tooLarge);
                    else ctx.next();
                });
    }

    private static boolean clientGone(RoutingContext ctx) {
        return ctx.response().closed() || ctx.failure() instanceof IOException
                || ctx.failure() instanceof io.vertx.core.VertxException v && v.getMessage() != null
                && v.getMessage().contains("closed");
    }

    private boolean announcedTooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // not ours to judge: Vert.x rejects a malformed Content-Length itself
        }
    }

    /** Times one body's arrival: the deadline for all of it, and the longest pause. */
    private final class Watch {
        private final RoutingContext ctx;
        private final Vertx vertx;
        private final long started = System.nanoTime();
        private long lastBytes = -1;
        private long lastProgress = started;
        private long deadline = -1;
        private long idle = -1;

        Watch(RoutingContext ctx) {
            this.ctx = ctx;
            this.vertx = ctx.vertx();
        }

        void start() {
            deadline = vertx.setTimer(timeoutMillis, id -> {
                if (!arrived()) timedOut("The request body did not arrive within " + seconds(timeoutMillis));
                stop();
            });
            // Checked four times per idle timeout: a pause is caught within 1.25 idle timeouts.
            idle = vertx.setPeriodic(Math.max(1, idleMillis / 4), id -> checkIdle());
            ctx.addEndHandler(v -> stop());
        }

        private void checkIdle() {
            if (arrived()) {
                stop();
                return;
            }
            long now = System.nanoTime();
            long bytes = ctx.request().bytesRead();
            if (bytes != lastBytes) {
                lastBytes = bytes;
                lastProgress = now;
            } else if ((now - lastProgress) / 1_000_000 >= idleMillis) {
                stop();
                timedOut("The request body paused for more than " + seconds(idleMillis));
            }
        }

        /**
         * Whether the body is in (the body handler sets it on the context when it has all of it), or
         * the request is over. Not {@code request.isEnded()}: that turns false again when Quarkus
         * REST pauses the request it takes. The timers run on the request's event loop, as the body
         * handler does: no race with its end.
         */
        private boolean arrived() {
            return ctx.body().buffer() != null || EarlyAnswer.answered(ctx) || ctx.response().closed();
        }

        private void stop() {
            vertx.cancelTimer(deadline);
            vertx.cancelTimer(idle);
        }

        private void timedOut(String why) {
            LOG.debugf("%s %s: %s after %d ms and %d bytes", ctx.request().method(), ctx.normalizedPath(), why,
                    (System.nanoTime() - started) / 1_000_000, ctx.request().bytesRead());
            if (ctx.response().headWritten() || ctx.response().closed()) {
                ctx.request().connection().close();
                return;
            }
            EarlyAnswer.send(ctx, json, ApiException.bodyTimeout(why));
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

}
