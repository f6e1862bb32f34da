package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * With API keys configured ({@link ApiKeyStore}), every request but {@code /q/health} (and below)
 * and the configured open paths needs {@code Authorization: Bearer <key>}: else 401 in OpenAI's
 * shape ({@code invalid_api_key}). Checked on the request's headers, before its body is read; then
 * the key's concurrent-request limit is taken ({@link KeyLimits}). Keys are never logged or echoed.
 */
@ApplicationScoped
public class ApiKeyFilter {

    private static final String BEARER = "bearer ";

    private final ApiKeyStore store;
    private final KeyLimits limits;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final List<String> openPaths;

    ApiKeyFilter(ApiKeyStore store, KeyLimits limits, ApiConfig config, ObjectMapper json, MeterRegistry registry) {
        this.store = store;
        this.limits = limits;
        this.json = json;
        this.registry = registry;
        this.openPaths = config.apiKeysOpenPaths().orElse(List.of()).stream().map(String::strip)
                .filter(p -> !p.isEmpty()).toList();
    }

    void install(@Observes Router router) {
        if (!store.enabled()) return;
        // Before the body is read (BodyLimit): a client without a key makes us read nothing.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 2).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (isOpen(ctx.normalizedPath(), openPaths)) {
            ctx.next();
            return;
        }
        String presented = bearer(ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION));
        Optional<ApiKeys.Key> key = presented == null ? Optional.empty() : store.keys().find(presented);
        if (key.isEmpty()) {
            registry.counter("specd.api.key.unauthorized").increment();
            EarlyAnswer.send(ctx, json, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    presented == null
                            ? "You didn't provide an API key. Send it in an Authorization header: Bearer YOUR_KEY"
                            : "Incorrect API key provided", 0));
            return;
        }
        try {
            limits.admit(limits.account(key.get().name()), ctx);
        } catch (ApiException e) {
            EarlyAnswer.send(ctx, json, e);
            return;
        }
        ctx.next();
    }

    /** Whether {@code path} needs no key: {@code /q/health} and below, and {@code open} (exact, or a prefix ending in /*). */
    static boolean isOpen(String path, List<String> open) {
        if (path.equals("/q/health") || path.startsWith("/q/health/")) return true;
        for (String p : open) {
            if (p.endsWith("/*") ? path.equals(p.substring(0, p.length() - 2))
                    || path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** The key of the one {@code Authorization: Bearer} header; null without one (or with several). */
    static String bearer(List<String> authorization) {
        if (authorization.size() != 1) return null;
        String value = authorization.getFirst().strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) return null;
        String key = value.substring(BEARER.length()).strip();
        return key.isEmpty() ? null : key;
    }
}
