package dev.specd.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the {@code prometheus} binary) on a free loopback port, scraping one target
 * every second and evaluating a rule file, with its data in a scratch directory; queried through
 * its HTTP API. Closing it stops the process.
 */
final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * Writes the configuration to {@code dir} and starts Prometheus on it; returns once it is ready.
     *
     * @param target    host:port of the server to scrape at {@code /q/metrics}, as job {@code specd}
     * @param ruleFile  loaded and evaluated every second
     */
    static PrometheusServer start(Path binary, Path dir, String target, Path ruleFile) throws IOException {
        Path config = writeConfig(dir, target, ruleFile);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), log);
        try {
            Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!p.isAlive()) throw new IllegalStateException("Prometheus exited:\n" + server.log());
                        return server.status("/-/ready") == 200;
                    });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The configuration a test wants: fast scrapes and rule evaluations; written through Jackson. */
    static Path writeConfig(Path dir, String target, Path ruleFile) throws IOException {
        Map<String, Object> config = Map.of(
                "global", Map.of("scrape_interval", "1s", "scrape_timeout", "1s", "evaluation_interval", "1s"),
                "rule_files", List.of(ruleFile.toAbsolutePath().toString()),
                "scrape_configs", List.of(Map.of("job_name", "specd", "metrics_path", "/q/metrics",
                        "static_configs", List.of(Map.of("targets", List.of(target))))));
        Path file = dir.resolve("prometheus.yml");
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), config);
        return file;
    }

    /** An instant query's {@code data} ({@code resultType}, {@code result}); fails on an API error. */
    JsonNode query(String promql) {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalArgumentException(answer.path("error").asText() + " in: " + promql);
        }
        return answer.path("data");
    }

    /** The series that match {@code selector} (the API's {@code /series}, as Grafana's label_values runs it). */
    JsonNode series(String selector) {
        return get("/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)).path("data");
    }

    /** The loaded rule groups, with each rule's health after its last evaluation. */
    JsonNode rules() {
        return get("/api/v1/rules").path("data").path("groups");
    }

    /** The single value of a query that yields one sample (NaN when it yields none). */
    double value(String promql) {
        JsonNode result = query(promql).path("result");
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        http.close();
    }
}
