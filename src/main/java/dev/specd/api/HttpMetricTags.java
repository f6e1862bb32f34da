package dev.specd.api;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the HTTP server metrics' labels to a bounded set whatever clients send: {@code method}
 * is one of the standard methods or {@code OTHER}; {@code uri} is one of the server's own
 * endpoint templates (read from the JAX-RS resources' {@code @Path}s at start-up) or one of the
 * values Quarkus itself uses ({@code NOT_FOUND}, {@code REDIRECTION}, {@code root}), else
 * {@code OTHER}. Without it every random method or path a client invents (a request refused
 * before routing keeps its raw path) is a new time series.
 */
@Singleton
public class HttpMetricTags implements MeterFilter {

    static final String OTHER = "OTHER";
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
            "CONNECT");
    private static final Set<String> QUARKUS_URIS = Set.of("NOT_FOUND", "REDIRECTION", "root", "/");

    private final Set<String> uris;

    HttpMetricTags(BeanManager beans) {
        Set<String> templates = new HashSet<>(QUARKUS_URIS);
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Path root = bean.getBeanClass().getAnnotation(Path.class);
            if (root != null) templates.addAll(templates(root.value(), bean.getBeanClass()));
        }
        this.uris = Set.copyOf(templates);
    }

    /** The endpoint templates of one resource class: its path joined with each endpoint method's. */
    static List<String> templates(String root, Class<?> resource) {
        List<String> out = new ArrayList<>();
        out.add(normalize(root));
        for (Method m : resource.getMethods()) {
            Path sub = m.getAnnotation(Path.class);
            if (sub != null && isEndpoint(m)) out.add(normalize(root + "/" + sub.value()));
        }
        return out;
    }

    private static boolean isEndpoint(Method m) {
        for (Annotation a : m.getAnnotations()) {
            if (a.annotationType().isAnnotationPresent(HttpMethod.class)) return true;
        }
        return false;
    }

    /** As Quarkus writes a template: one leading slash, no doubled or trailing ones. */
    static String normalize(String path) {
        String p = ("/" + path).replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    Set<String> uris() {
        return uris;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith("http.server")) return id;
        List<Tag> tags = new ArrayList<>();
        boolean changed = false;
        for (Tag t : id.getTagsAsIterable()) {
            String value = switch (t.getKey()) {
                case "method" -> METHODS.contains(t.getValue()) ? t.getValue() : OTHER;
                case "uri" -> uris.contains(t.getValue()) ? t.getValue() : OTHER;
                default -> t.getValue();
            };
            changed |= !value.equals(t.getValue());
            tags.add(Tag.of(t.getKey(), value));
        }
        return changed ? id.replaceTags(tags) : id;
    }
}
