package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code specd bench soak}: a running server under many concurrent streams for a long time, checked
 * token for token. First every (model, prompt) pair is asked alone, greedily, for the reference
 * answer; then {@code --streams} clients stream the same requests over all models until the time is
 * up, and every streamed answer must equal its reference: a lost, duplicated or reordered token shows
 * as a mismatch. Greedy answers are independent of other traffic only when the server runs with
 * {@code specd.engine.batch-invariant=true} (docs/speculation.md#determinism); without it a batch
 * can flip a near-tie, and mismatches then measure that, not lost tokens. Also samples the server's
 * resident memory ({@code --pid}) to report its slope after warm-up. Loopback only.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Concurrent greedy streams over every model for a duration, each checked against a sequential reference.")
final class SoakCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the server (loopback)")
    URI url;

    @Option(names = "--models", split = ",", description = "pipelines to call (default: all of /v1/models)")
    List<String> models;

    @Option(names = "--streams", defaultValue = "32", description = "concurrent streaming clients")
    int streams;

    @Option(names = "--duration", defaultValue = "PT10M", description = "how long the clients run (ISO-8601, e.g. PT10M)")
    Duration duration;

    @Option(names = "--warm-up", defaultValue = "PT2M", description = "memory samples before this are not in the slope")
    Duration warmUp;

    @Option(names = "--tokens", defaultValue = "200", description = "max_tokens per request (ignore_eos: all of them)")
    int tokens;

    @Option(names = "--pid", description = "the server's process id, for its resident memory")
    Optional<Long> pid;

    @Option(names = "--out", defaultValue = "bench-out", description = "directory for the results")
    Path out;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpCommand.client();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final Map<String, String> firstProblems = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (!HttpCommand.isLoopback(url)) {
            System.err.println("error: bench soak only loads a server on this machine (loopback), not " + url.getHost());
            return 1;
        }
        List<String> ids = models != null ? models : listModels();
        List<Case> cases = new ArrayList<>();
        for (String m : ids) for (String p : HttpCommand.HELD_OUT) cases.add(new Case(m, p));
        Map<String, String> reference = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        for (Case c : cases) reference.put(c.key(), stream(c));
        System.err.printf(Locale.ROOT, "reference: %d answers of %d tokens, sequential, in %.1f s%n", cases.size(), tokens,
                (System.nanoTime() - t0) / 1e9);

        List<double[]> rss = new ArrayList<>(); // {seconds since start, bytes}
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong next = new AtomicLong();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < streams; s++) {
                clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        Case c = cases.get((int) (next.getAndIncrement() % cases.size()));
                        check(c, reference.get(c.key()));
                    }
                    return null;
                });
            }
            while (System.nanoTime() < end) {
                pid.ifPresent(p -> rss.add(new double[] {(System.nanoTime() - start) / 1e9, residentBytes(p)}));
                long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
                System.err.printf(Locale.ROOT, "%5d s: %d requests, %d tokens, %d 5xx, %d other errors, %d mismatches%n",
                        elapsed, requests.get(), generated.get(), serverErrors.get(), otherErrors.get(), mismatches.get());
                Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("models", ids.size());
        row.put("streams", streams);
        row.put("seconds", seconds);
        row.put("tokens_per_request", tokens);
        row.put("requests", requests.get());
        row.put("tokens", generated.get());
        row.put("tokens_per_second", generated.get() / seconds);
        row.put("server_errors", serverErrors.get());
        row.put("other_errors", otherErrors.get());
        row.put("mismatches", mismatches.get());
        double warm = warmUp.toNanos() / 1e9;
        List<double[]> after = rss.stream().filter(r -> r[0] >= warm).toList();
        row.put("rss_first_mib", after.isEmpty() ? Double.NaN : after.getFirst()[1] / (1 << 20));
        row.put("rss_last_mib", after.isEmpty() ? Double.NaN : after.getLast()[1] / (1 << 20));
        row.put("rss_slope_percent_per_10min", slopePercentPer10Minutes(after));
        BenchTable.write(out, "soak", List.of(row));
        if (!rss.isEmpty()) {
            List<Map<String, Object>> samples = new ArrayList<>();
            for (double[] r : rss) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("seconds", r[0]);
                m.put("rss_mib", r[1] / (1 << 20));
                samples.add(m);
            }
            BenchTable.write(out, "soak-rss", samples);
        }
        row.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-28s %s%n", k, v));
        firstProblems.forEach((k, v) -> System.out.println("first problem with " + k + ": " + v));
        System.out.println("wrote " + out.resolve("soak.csv") + " and soak.json");
        return serverErrors.get() == 0 && otherErrors.get() == 0 && mismatches.get() == 0 ? 0 : 1;
    }

    private void check(Case c, String expected) {
        try {
            String got = stream(c);
            requests.incrementAndGet();
            if (!got.equals(expected)) {
                mismatches.incrementAndGet();
                int at = 0;
                while (at < got.length() && at < expected.length() && got.charAt(at) == expected.charAt(at)) at++;
                firstProblems.putIfAbsent(c.key(), "differs at character " + at + ": expected ..."
                        + expected.substring(at, Math.min(expected.length(), at + 40)) + "... got ..."
                        + got.substring(at, Math.min(got.length(), at + 40)) + "...");
            }
        } catch (ServerError e) {
            serverErrors.incrementAndGet();
            firstProblems.putIfAbsent(c.key(), e.getMessage());
        } catch (Exception e) {
            otherErrors.incrementAndGet();
            firstProblems.putIfAbsent(c.key(), e.toString());
        }
    }

    /** One greedy streamed completion; returns its text, counting its tokens. */
    private String stream(Case c) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("model", c.model());
        body.put("prompt", c.prompt());
        body.put("max_tokens", tokens);
        body.put("temperature", 0);
        body.put("ignore_eos", true);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest r = HttpRequest.newBuilder(url.resolve("/v1/completions")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        HttpResponse<InputStream> response = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() >= 500) throw new ServerError("HTTP " + response.statusCode());
            if (response.statusCode() != 200) throw new IOException("HTTP " + response.statusCode());
            StringBuilder text = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ")) continue;
                String data = line.substring(6);
                if (data.equals("[DONE]")) return text.toString();
                JsonNode event = json.readTree(data);
                if (event.has("error")) throw new ServerError(event.get("error").toString());
                for (JsonNode choice : event.path("choices")) text.append(choice.path("text").asText(""));
                if (event.path("usage").has("completion_tokens")) {
                    int n = event.path("usage").path("completion_tokens").asInt();
                    if (n != tokens) throw new IOException("usage says " + n + " tokens, asked for " + tokens);
                    generated.addAndGet(n);
                }
            }
            throw new IOException("the stream ended without [DONE]");
        }
    }

    private List<String> listModels() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> ids = new ArrayList<>();
        for (JsonNode m : json.readTree(r.body()).path("data")) ids.add(m.path("id").asText());
        return ids;
    }

    /** One request of the soak: a pipeline and a held-out prompt. */
    private record Case(String model, String prompt) {
        String key() {
            return model + " / " + prompt;
        }
    }

    private static double residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Least-squares slope of the samples, as percent of their mean per ten minutes. */
    static double slopePercentPer10Minutes(List<double[]> samples) {
        if (samples.size() < 3) return Double.NaN;
        double mx = 0, my = 0;
        for (double[] s : samples) {
            mx += s[0];
            my += s[1];
        }
        mx /= samples.size();
        my /= samples.size();
        double sxy = 0, sxx = 0;
        for (double[] s : samples) {
            sxy += (s[0] - mx) * (s[1] - my);
            sxx += (s[0] - mx) * (s[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx * 600 / my * 100;
    }

    private static final class ServerError extends IOException {
        ServerError(String message) {
            super(message);
        }
    }
}
