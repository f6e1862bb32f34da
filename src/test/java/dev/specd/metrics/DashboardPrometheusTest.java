package dev.specd.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.ExternalTools;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Grafana dashboard cannot lie: a real Prometheus scrapes this server every second while the
 * test sends requests to every pipeline in every mode it allows (streams and not), cancels one and
 * sends bad ones; then every query of every panel, as Grafana sends it with all variables at "All",
 * must return at least one sample and no NaN or infinity. The variables' label_values must find
 * values, and Prometheus must evaluate every alert rule without error against the real series.
 * Skipped, saying so, only where no {@code prometheus} binary is installed ({@code .ci/run}
 * installs Debian's).
 */
@QuarkusTest
class DashboardPrometheusTest {

    static final Path DASHBOARD = Path.of("docker/grafana/dashboards/specd.json");
    static final Path RULES = Path.of("docker/prometheus/rules/specd-alerts.yml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPanelQueryReturnsNumbers() throws Exception {
        Path binary = ExternalTools.onPath("prometheus").orElse(null);
        assumeTrue(binary != null, ExternalTools.missing("prometheus"));
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "prometheus-");
        String target = "127.0.0.1:" + RestAssured.port;
        checkConfig(dir, target);
        long t0 = System.nanoTime();
        try (PrometheusServer prometheus = PrometheusServer.start(binary, dir, target, RULES)) {
            Awaitility.await("Prometheus scrapes the server").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250)).until(() -> prometheus.value("up{job=\"specd\"}") == 1);
            driveTraffic();
            // Caught up: Prometheus has scraped every request this server has counted.
            double served = PrometheusText.parse(metrics()).sum("specd_requests_total", Map.of());
            Awaitility.await("Prometheus catches up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> prometheus.value("sum(specd_requests_total{job=\"specd\"})") == served);
            // Grafana sizes $__rate_interval from the scrape interval; here it spans all the test's data.
            long window = Duration.ofNanos(System.nanoTime() - t0).toSeconds() + 15;
            Map<String, String> all = Map.of("__rate_interval", window + "s", "datasource", "prometheus",
                    "job", ".*", "instance", ".*", "pipeline", ".*", "mode", ".*", "engine", ".*");
            DashboardQueries dashboard = DashboardQueries.load(DASHBOARD, all);
            List<String> failures = new ArrayList<>();
            for (DashboardQueries.Target t : dashboard.targets()) failures.addAll(check(prometheus, t));
            for (DashboardQueries.Variable v : dashboard.variables()) failures.addAll(check(prometheus, v));
            failures.addAll(checkRules(prometheus));
            System.out.printf("dashboard '%s': %d panels, %d queries, %d variables checked against Prometheus in %d s%n",
                    dashboard.title(), dashboard.panels().size(), dashboard.targets().size(),
                    dashboard.variables().size(), Duration.ofNanos(System.nanoTime() - t0).toSeconds());
            assertTrue(failures.isEmpty(), failures.size() + " dashboard queries show no data:\n"
                    + String.join("\n", failures));
        }
    }

    /** Every sample of the query's answer: at least one, each a finite number. */
    private static List<String> check(PrometheusServer prometheus, DashboardQueries.Target t) {
        JsonNode data;
        try {
            data = prometheus.query(t.expr());
        } catch (IllegalArgumentException e) {
            return List.of(t.describe() + "\n    -> error: " + e.getMessage());
        }
        List<JsonNode> samples = new ArrayList<>();
        if ("scalar".equals(data.path("resultType").asText())) samples.add(data);
        else data.path("result").forEach(samples::add);
        if (samples.isEmpty()) return List.of(t.describe() + "\n    -> empty");
        List<String> failures = new ArrayList<>();
        for (JsonNode s : samples) {
            JsonNode value = s.has("value") ? s.path("value") : s.path("result");
            double v = Double.parseDouble(value.get(1).asText());
            if (!Double.isFinite(v)) failures.add(t.describe() + "\n    -> " + v + " for " + s.path("metric"));
        }
        return failures;
    }

    private static List<String> check(PrometheusServer prometheus, DashboardQueries.Variable v) {
        for (JsonNode series : prometheus.series(v.selector())) {
            if (series.has(v.label())) return List.of();
        }
        return List.of("variable $" + v.name() + ": no series of " + v.selector() + " has label " + v.label());
    }

    /** Every alert rule evaluated against the real series without an error (none is expected to fire). */
    private static List<String> checkRules(PrometheusServer prometheus) {
        Awaitility.await("alert rules evaluated").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> rules(prometheus).stream().noneMatch(r -> "unknown".equals(r.path("health").asText())));
        List<JsonNode> rules = rules(prometheus);
        List<String> failures = new ArrayList<>();
        if (rules.isEmpty()) failures.add("no alert rules loaded from " + RULES);
        for (JsonNode r : rules) {
            if (!"ok".equals(r.path("health").asText())) {
                failures.add("alert " + r.path("name").asText() + ": " + r.path("health").asText() + " "
                        + r.path("lastError").asText());
            }
        }
        return failures;
    }

    private static List<JsonNode> rules(PrometheusServer prometheus) {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : prometheus.rules()) group.path("rules").forEach(rules::add);
        return rules;
    }

    /** promtool's verdict on the configuration the test runs Prometheus with (and so on the rule file). */
    private static void checkConfig(Path dir, String target) throws Exception {
        Path promtool = ExternalTools.onPath("promtool").orElse(null);
        if (promtool == null) return; // the rules' own test (AlertRulesTest) reports its absence
        Path config = PrometheusServer.writeConfig(Files.createDirectories(dir.resolve("check")), target, RULES);
        ExternalTools.Result r = ExternalTools.run(Duration.ofMinutes(1), dir, promtool.toString(), "check", "config",
                config.toAbsolutePath().toString());
        assertTrue(r.ok(), r.describe());
    }

    /**
     * Requests to every pipeline in every mode it may run (the modes its pre-created series name),
     * each as a completion and as a streamed chat, four at a time; one stream cancelled by its
     * client; one bad parameter (400) and one unknown model (404).
     */
    private void driveTraffic() throws Exception {
        Set<List<String>> pairs = new LinkedHashSet<>();
        for (PrometheusText.Sample s : PrometheusText.parse(metrics()).find("specd_requests_total", Map.of())) {
            pairs.add(List.of(s.labels().get("pipeline"), s.labels().get("mode")));
        }
        assertTrue(pairs.size() >= 9, "the embedded pipelines' modes: " + pairs);
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (List<String> pm : pairs) {
            Map<String, Object> common = new LinkedHashMap<>(Map.of("model", pm.get(0), "max_tokens", 24,
                    "ignore_eos", true, "speculation", Map.of("mode", pm.get(1))));
            Map<String, Object> completion = new LinkedHashMap<>(common);
            completion.put("prompt", "Once upon a time");
            Map<String, Object> chat = new LinkedHashMap<>(common);
            chat.put("messages", List.of(Map.of("role", "user", "content", "Lily went to the park")));
            chat.put("stream", true);
            bodies.add(completion);
            bodies.add(chat);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (Map<String, Object> b : bodies) answers.add(pool.submit(() -> post(b)));
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r = answers.get(i).get();
                assertEquals(200, r.statusCode(), bodies.get(i) + " -> " + r.body());
                if (bodies.get(i).containsKey("stream")) assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
            }
        }
        assertEquals(400, post(Map.of("model", "stories", "prompt", "x", "speculation", Map.of("k", 99)))
                .statusCode());
        assertEquals(404, post(Map.of("model", "no-such-model", "prompt", "x")).statusCode());
        cancelAStream();
    }

    /** A client that reads the start of a long stream and hangs up: the request ends as cancelled. */
    private void cancelAStream() throws Exception {
        double before = cancelled();
        String body = JSON.writeValueAsString(Map.of("model", "stories", "prompt", "Once upon a time",
                "max_tokens", 900, "ignore_eos", true, "stream", true));
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            assertFalse(socket.getInputStream().read() < 0, "the stream started");
        }
        Awaitility.await("the hung-up stream counted as cancelled").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> cancelled() > before);
    }

    private static double cancelled() {
        return PrometheusText.parse(metrics()).sum("specd_requests_total", Map.of("finish_reason", "cancelled"));
    }

    private HttpResponse<String> post(Map<String, Object> body) throws Exception {
        String path = body.containsKey("messages") ? "/v1/chat/completions" : "/v1/completions";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
