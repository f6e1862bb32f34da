package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code specd bench http}: a running server measured as a client sees it. Sends held-out prompts
 * one at a time to {@code /v1/completions}, under several speculation settings interleaved (each
 * repeat runs every configuration once, in a rotating order), and reports end-to-end tokens per
 * second — prefill, HTTP and JSON included — with each configuration's ratio to target-only and to
 * the best static k, measured side by side. Loopback only: the URL must be a local server.
 */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = "Sequential requests to a running server, speculation settings interleaved: end-to-end tok/s.")
final class HttpCommand implements Callable<Integer> {

    /** Prompts no profile or calibration has seen. */
    static final List<String> HELD_OUT = List.of("The old owl lived in a tall tree", "Ben and his sister built a fort",
            "A little boat sailed on the lake", "Mia found a shiny stone in the garden", "The puppy did not want to sleep",
            "It was the first day of school for Max", "The rain stopped and the sun came out", "Grandpa told a story about",
            "Sara wanted to bake cookies with her mom", "The red bird flew over the house", "Tim lost his blue hat",
            "A big bear woke up in the cave");

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the server (loopback)")
    URI url;

    @Option(names = "--model", defaultValue = "stories", description = "the pipeline to call")
    String model;

    @Option(names = "--tokens", defaultValue = "64", description = "max_tokens per request (ignore_eos: all of them)")
    int tokens;

    @Option(names = "--temperature", defaultValue = "0", description = "sampling temperature")
    double temperature;

    @Option(names = "--repeat", defaultValue = "3", description = "passes over every configuration, interleaved")
    int repeat;

    @Option(names = "--configs", defaultValue = "off,adaptive,k1,k2,k4,k8", split = ",",
            description = "off, adaptive, or kN (static k = N)")
    List<String> configs;

    @Option(names = "--api-key", description = "bearer token, if the server has keys")
    Optional<String> apiKey;

    @Option(names = "--out", defaultValue = "bench-out", description = "directory for the CSV and JSON results")
    Path out;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = client();

    /**
     * The benchmarks' client: HTTP/1.1, as the OpenAI SDKs speak it to an http:// URL. The JDK
     * client's default h2c upgrade lost a streamed response mid-run (EOF on the HTTP/2 connection)
     * in the first soak attempt.
     */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!isLoopback(url)) {
            System.err.println("error: bench http only measures a server on this machine (loopback), not " + url.getHost());
            return 1;
        }
        for (String c : configs) speculation(c); // fail on a bad name before any request
        runAll(configs, 1); // warm-up: first-request costs out of the measurement
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int rep = 0; rep < repeat; rep++) {
            List<String> order = new ArrayList<>(configs);
            java.util.Collections.rotate(order, -rep);
            for (String c : order) {
                long t0 = System.nanoTime();
                long generated = runAll(List.of(c), HELD_OUT.size());
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("repeat", rep);
                row.put("config", c);
                row.put("tokens", generated);
                row.put("seconds", seconds);
                row.put("tokens_per_second", generated / seconds);
                rows.add(row);
                System.err.printf(Locale.ROOT, "repeat %d %-9s %8.2f tok/s%n", rep, c, generated / seconds);
            }
        }
        summarize(rows);
        String name = "http-" + model + "-t" + temperature;
        BenchTable.write(out, name, rows);
        System.out.println("wrote " + out.resolve(name + ".csv") + " and " + name + ".json");
        return 0;
    }

    /** Whether {@code url} names this machine: the HTTP benchmarks load no one else's server. */
    static boolean isLoopback(URI url) {
        String host = url.getHost();
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    /** Medians per configuration, and ratios to target-only and to the best static k. */
    private void summarize(List<Map<String, Object>> rows) {
        Map<String, Double> median = new LinkedHashMap<>();
        for (String c : configs) {
            double[] v = rows.stream().filter(r -> r.get("config").equals(c))
                    .mapToDouble(r -> (Double) r.get("tokens_per_second")).sorted().toArray();
            median.put(c, v[v.length / 2]);
        }
        double off = median.getOrDefault("off", Double.NaN);
        double bestStatic = median.entrySet().stream().filter(e -> e.getKey().startsWith("k"))
                .mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
        System.out.printf("%-9s %9s %9s %11s%n", "config", "tok/s", "÷ off", "÷ best k");
        median.forEach((c, v) -> System.out.printf(Locale.ROOT, "%-9s %9.2f %9.3f %11.3f%n", c, v, v / off, v / bestStatic));
    }

    /** Runs every prompt (up to {@code prompts}) once per configuration; returns the tokens generated. */
    private long runAll(List<String> names, int prompts) throws IOException, InterruptedException {
        long generated = 0;
        for (String c : names) {
            for (int i = 0; i < prompts; i++) generated += complete(HELD_OUT.get(i), c, i);
        }
        return generated;
    }

    private int complete(String prompt, String config, int index) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("model", model);
        body.put("prompt", prompt);
        body.put("max_tokens", tokens);
        body.put("temperature", temperature);
        body.put("ignore_eos", true);
        if (temperature > 0) body.put("seed", 1000 + index);
        body.set("speculation", speculation(config));
        HttpRequest.Builder r = HttpRequest.newBuilder(url.resolve("/v1/completions")).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        apiKey.ifPresent(k -> r.header("Authorization", "Bearer " + k));
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " for " + config + ": " + response.body());
        }
        JsonNode answer = json.readTree(response.body());
        return answer.path("usage").path("completion_tokens").asInt();
    }

    private ObjectNode speculation(String config) {
        ObjectNode s = json.createObjectNode();
        if (config.equals("off")) return s.put("mode", "off");
        if (config.equals("adaptive")) return s.put("policy", "adaptive");
        if (config.matches("k\\d+")) return s.put("policy", "static").put("k", Integer.parseInt(config.substring(1)));
        throw new IllegalArgumentException("unknown configuration '" + config + "': use off, adaptive or kN; got "
                + Arrays.toString(configs.toArray()));
    }
}
