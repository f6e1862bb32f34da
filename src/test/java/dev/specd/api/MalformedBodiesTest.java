package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.api.MalformedBodies.Probe;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated malformed requests to both completion endpoints: every known field with wrong types,
 * out-of-range and nasty values (huge and negative numbers, NaN-ish strings, unicode junk, deep
 * nesting), truncated and non-JSON bodies, invalid UTF-8, wrong content types. None may be a 5xx
 * (nor a 200 stream that carries an error); every 4xx is OpenAI's error shape with a message.
 * Bodies that happen to be valid may succeed: their {@code max_tokens} stays at most 4.
 *
 * <p>jqwik's properties do not run inside {@code @QuarkusTest}'s lifecycle, so this uses jqwik's
 * generators directly ({@link MalformedBodies}), from a fixed seed: the same {@value #SAMPLES}
 * requests on every run.
 */
@QuarkusTest
class MalformedBodiesTest {

    static final long SEED = 20260615L;
    static final int SAMPLES = 1000;
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI root;


    /** What is wrong with the answer to {@code probe}, or null if nothing is. */
    static String problem(HttpResponse<String> r) {
        int status = r.statusCode();
        if (status >= 500) return "status " + status;
        if (status >= 400) {
            JsonNode error;
            try {
                error = JSON.readTree(r.body()).get("error");
            } catch (Exception e) {
                return "status " + status + " without a JSON body";
            }
            if (error == null || !error.isObject()) return "status " + status + " without an error object";
            if (!error.path("message").isTextual() || error.path("message").asText().isBlank()) return "no error.message";
            if (!error.path("type").isTextual() || error.path("type").asText().isBlank()) return "no error.type";
            if (!error.has("param") || !error.has("code")) return "error without param or code";
            return null;
        }
        if (status != 200) return "status " + status;
        String type = r.headers().firstValue("Content-Type").orElse("");
        try {
            if (type.startsWith("text/event-stream")) {
                List<String> events = OpenAiApiTest.sseData(r.body());
                if (events.isEmpty() || !events.getLast().equals("[DONE]")) return "a stream without [DONE]";
                for (String e : events.subList(0, events.size() - 1)) {
                    if (JSON.readTree(e).has("error")) return "an error inside a 200 stream";
                }
                return null;
            }
            JsonNode body = JSON.readTree(r.body());
            if (!body.path("choices").isArray() || body.path("choices").isEmpty()) return "a 200 without choices";
            return null;
        } catch (Exception e) {
            return "a 200 that does not parse: " + e.getMessage();
        }
    }

    @Test
    void generatedMalformedBodiesNeverGet5xxAndAlwaysGetOpenAiErrors() throws Exception {
        List<Probe> probes = MalformedBodies.generate(SAMPLES, SEED);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + 150_000_000_000L;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            for (Probe p : probes) {
                assertTrue(System.nanoTime() < deadline, "the probes took over 150 s");
                HttpRequest.Builder b = HttpRequest.newBuilder(root.resolve(p.path())).timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(p.body()));
                if (p.contentType() != null) b.header("Content-Type", p.contentType());
                if (p.accept() != null) b.header("Accept", p.accept());
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(r.statusCode(), 1, Integer::sum);
                String problem = problem(r);
                if (problem != null) {
                    String answer = r.body().length() > 400 ? r.body().substring(0, 400) + "..." : r.body();
                    failures.add(problem + " for " + p.describe() + "\n    -> " + r.statusCode() + " " + answer);
                }
            }
            System.out.printf("malformed bodies: %d probes, statuses %s%n", probes.size(), statuses);
            assertTrue(failures.isEmpty(), failures.size() + " of " + probes.size() + " bad answers, e.g.:\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
            // The generator reaches both kinds of answer, and the server still serves.
            assertTrue(statuses.getOrDefault(400, 0) > SAMPLES / 2, "mostly 400s: " + statuses);
            assertTrue(statuses.getOrDefault(200, 0) > 10, "some valid bodies: " + statuses);
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(root.resolve("v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"prompt":"Once upon a time","max_tokens":8,"temperature":0}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(8, JSON.readTree(ok.body()).path("usage").path("completion_tokens").asInt());
        }
    }

    /** The first bug the generated bodies found: a tiny penalty passed validation and overflowed a logit. */
    @Test
    void aTinyRepetitionPenaltyIsNotAServerError() throws Exception {
        for (String body : List.of("""
                {"prompt":"Once upon a time","max_tokens":4,"repetition_penalty":1e-40}""", """
                {"prompt":"Once upon a time","max_tokens":4,"repetition_penalty":5e-324,"temperature":0}""", """
                {"model":"stories","prompt":"Once upon a time","max_tokens":4,"repetition_penalty":1e-40,\
                "stream":true}""")) {
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(root.resolve("v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(null, problem(r), body + " -> " + r.statusCode() + " " + r.body());
            }
        }
    }

    @Test
    void generationIsDeterministic() {
        List<Probe> a = MalformedBodies.generate(50, SEED), b = MalformedBodies.generate(50, SEED);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).describe(), b.get(i).describe());
        }
    }
}
