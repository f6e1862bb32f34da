package dev.specd.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients cannot grow the HTTP server metrics: 1,000 requests with invented methods and paths add
 * no time series once one of each kind has been seen (each such request used to add three).
 */
@QuarkusTest
class MetricCardinalityTest {

    @TestHTTPResource("/")
    URI root;

    final Random random = new Random(15);

    @Test
    void inventedMethodsAndPathsAddNoSeries() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            // One of each kind first: each answer status may add its own series once.
            for (int i = 0; i < 4; i++) send(http, i);
            Set<String> before = series(http);
            for (int i = 0; i < 1000; i++) send(http, i);
            Set<String> after = series(http);
            assertEquals(before, after, "new series after 1,000 invented requests");
            assertTrue(after.stream().anyMatch(s -> s.contains("method=\"OTHER\"")), after.toString());
            assertTrue(after.stream().noneMatch(s -> s.contains("/invented-")), after.toString());
        }
    }

    /** Kind i % 4: an invented method on a real endpoint, a GET of an invented path or model, or both invented. */
    private void send(HttpClient http, int i) throws Exception {
        String method = i % 4 == 1 || i % 4 == 2 ? "GET" : word();
        String path = switch (i % 4) {
            case 0 -> "v1/models";
            case 1 -> "v1/models/" + word();
            default -> "invented-" + word();
        };
        http.send(HttpRequest.newBuilder(root.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
    }

    private String word() {
        StringBuilder w = new StringBuilder();
        for (int n = 4 + random.nextInt(8); n > 0; n--) w.append((char) ('A' + random.nextInt(26)));
        return w.toString();
    }

    /** The HTTP server series in a Prometheus scrape, without their values. */
    private Set<String> series(HttpClient http) throws Exception {
        String scrape = http.send(HttpRequest.newBuilder(root.resolve("q/metrics")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> out = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("http_server_")) out.add(line.substring(0, line.lastIndexOf(' ')));
        }
        return out;
    }
}
