package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients at once: concurrent streams on every pipeline give exactly the text each request
 * gets alone, and a pipeline whose sequences and queue are full answers 429 (OpenAI's
 * {@code rate_limit_error} with Retry-After) while everything it admitted still completes.
 */
@QuarkusTest
class ConcurrencyTest {

    /** The lossless presets and the cascade (the newer presets run the same engine turns). */
    static final List<String> PIPELINES = SpeculationReports.PIPELINES.subList(0, 4);
    static final int SEQUENCES = 4;
    static final int QUEUE_CAPACITY = 64;

    static final ObjectMapper JSON = new ObjectMapper();
    static ExecutorService pool;
    static HttpClient http;

    @TestHTTPResource("/")
    URI root;

    @BeforeAll
    static void client() {
        pool = Executors.newFixedThreadPool(16);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void close() {
        http.close();
        pool.shutdownNow();
    }

    HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(root.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** One generation request of the test: its endpoint, body (without "stream") and the text field. */
    record Call(String model, String path, String body) {
        boolean chat() {
            return path.endsWith("chat/completions");
        }

        String streaming() {
            return body.substring(0, body.lastIndexOf('}')) + ",\"stream\":true}";
        }
    }

    /** The text and finish reason of a whole (non-streamed) answer. */
    record Answer(String text, String finishReason) {
    }

    static Answer whole(Call call, HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), call + " -> " + r.body());
        JsonNode choice = JSON.readTree(r.body()).path("choices").path(0);
        return new Answer(call.chat() ? choice.path("message").path("content").asText() : choice.path("text").asText(),
                choice.path("finish_reason").asText());
    }

    /** The concatenated deltas and the finish reason of a stream, which must end with [DONE]. */
    static Answer streamed(Call call, HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), call + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), call.toString());
        List<String> events = OpenAiApiTest.sseData(r.body());
        assertFalse(events.isEmpty(), call + ": no events");
        assertEquals("[DONE]", events.getLast(), call + ": the stream ends with [DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertFalse(chunk.has("error"), call + ": error in the stream: " + e);
            JsonNode choice = chunk.path("choices").path(0);
            JsonNode piece = call.chat() ? choice.path("delta").path("content") : choice.path("text");
            if (piece.isTextual()) text.append(piece.asText());
            if (choice.path("finish_reason").isTextual()) {
                assertTrue(finish == null, call + ": two finish reasons");
                finish = choice.path("finish_reason").asText();
            }
        }
        return new Answer(text.toString(), finish);
    }

    static final List<String> PROMPTS = List.of("Once upon a time", "Lily went to the park", "The little dog",
            "Tom had a red ball", "One day, a cat", "The sun was hot", "Sam and Mia played", "There was a big tree",
            "A bird sang", "The boy was sad", "Mom made a cake", "The fish swam", "Ben found a box", "It was raining",
            "The girl liked flowers", "A frog jumped");

    /**
     * Sixteen greedy requests with distinct prompts, on {@code models} in turn, half completions, half
     * chats. The cascade runs with τ = 1 (every token verified): below it, which tokens the draft
     * model emits unverified hangs on its confidence, which a batch of another shape moves slightly.
     */
    static List<Call> sixteenCalls(List<String> models) {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            String model = models.get(i % models.size());
            String prompt = PROMPTS.get(i);
            String extra = model.equals("stories-cascade") ? ",\"speculation\":{\"tau\":1.0}" : "";
            calls.add(i % 2 == 0
                    ? new Call(model, "v1/completions", """
                    {"model":"%s","prompt":"%s","max_tokens":32,"temperature":0%s}""".formatted(model, prompt, extra))
                    : new Call(model, "v1/chat/completions", """
                    {"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":32,"temperature":0%s}"""
                    .formatted(model, prompt, extra)));
        }
        return calls;
    }

    /**
     * Each call alone and non-streamed, one at a time; then all of them at once, streamed: every
     * stream must end with [DONE] and give exactly the text and finish reason it gave alone.
     */
    void concurrentStreamsEqualSequentialAnswers(List<Call> calls) throws Exception {
        awaitIdle();
        Map<Call, Answer> alone = new LinkedHashMap<>();
        for (Call call : calls) {
            alone.put(call, whole(call, http.send(request(call.path(), call.body()), HttpResponse.BodyHandlers.ofString())));
        }
        assertEquals(calls.size(), alone.values().stream().map(Answer::text).distinct().count(),
                "distinct prompts, distinct texts: " + alone.values());

        long[][] spans = new long[calls.size()][2];
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            int n = i;
            spans[n][0] = System.nanoTime();
            futures.add(http.sendAsync(request(calls.get(n).path(), calls.get(n).streaming()),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, t) -> spans[n][1] = System.nanoTime()));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            Answer together = streamed(call, futures.get(i).join());
            if (!together.equals(alone.get(call))) {
                mismatches.add(call + "\n  alone:    " + alone.get(call) + "\n  together: " + together);
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + calls.size()
                + " concurrent answers differ from their sequential ones:\n" + String.join("\n", mismatches));
        // They did overlap: all were sent before the first one finished.
        long lastStart = Arrays.stream(spans).mapToLong(s -> s[0]).max().orElseThrow();
        long firstEnd = Arrays.stream(spans).mapToLong(s -> s[1]).min().orElseThrow();
        assertTrue(lastStart < firstEnd, "all were sent before the first one finished");
        awaitIdle();
    }

    /** Per preset: 16 at once fill the engine's 4 sequences and queue 12; batching must not change a token. */
    @Test
    void sixteenConcurrentStreamsOnOnePipelineEqualTheirSequentialAnswers() throws Exception {
        for (String pipeline : PIPELINES) concurrentStreamsEqualSequentialAnswers(sixteenCalls(List.of(pipeline)));
    }

    /**
     * Sixteen at once spread over the four presets of the one engine (off, lossless, cascade τ = 1,
     * lookup): they share its four sequences and its verify batches, and that must not change a
     * token either.
     */
    @Test
    void sixteenConcurrentStreamsAcrossThePipelinesEqualTheirSequentialAnswers() throws Exception {
        concurrentStreamsEqualSequentialAnswers(sixteenCalls(PIPELINES));
    }

    /**
     * Four long generations hold {@code stories}' four sequences; then 76 short requests arrive at
     * once (half streaming): 64 fit the queue, the other 12 are refused with 429 before any stream
     * starts. Everything admitted completes, and the server serves afterwards.
     */
    @Test
    void aFullQueueAnswers429WithRetryAfterAndTheRestComplete() throws Exception {
        awaitIdle();
        String longBody = """
                {"model":"stories","prompt":"Once upon a time","max_tokens":1000,"temperature":0,"ignore_eos":true}""";
        List<CompletableFuture<HttpResponse<String>>> holders = new ArrayList<>();
        for (int i = 0; i < SEQUENCES; i++) {
            holders.add(http.sendAsync(request("v1/completions", longBody), HttpResponse.BodyHandlers.ofString()));
        }
        awaitState("stories", SEQUENCES + " running, 0 waiting", 10_000);

        int flood = QUEUE_CAPACITY + 12;
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            String body = """
                    {"model":"stories","prompt":"Flood %d","max_tokens":4,"temperature":0,"ignore_eos":true,"stream":%s}"""
                    .formatted(i, i % 2 == 0);
            futures.add(http.sendAsync(request("v1/completions", body), HttpResponse.BodyHandlers.ofString()));
        }
        long t0 = System.nanoTime();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        for (var f : holders) {
            HttpResponse<String> r = f.get(90, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1000, JSON.readTree(r.body()).path("usage").path("completion_tokens").asInt());
        }
        int refused = 0, ok = 0;
        List<String> others = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            HttpResponse<String> r = futures.get(i).join();
            boolean stream = i % 2 == 0;
            if (r.statusCode() == 429) {
                refused++;
                JsonNode error = JSON.readTree(r.body()).path("error");
                assertEquals("rate_limit_error", error.path("type").asText(), r.body());
                assertEquals("queue_full", error.path("code").asText(), r.body());
                assertFalse(error.path("message").asText().isBlank(), r.body());
                assertTrue(error.has("param"), "OpenAI's error shape has param (null here): " + r.body());
                String retryAfter = r.headers().firstValue("Retry-After").orElse("");
                assertTrue(retryAfter.matches("[1-9][0-9]*"), "Retry-After: '" + retryAfter + "'");
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                        "a refused stream is a JSON error, not an event stream");
            } else if (r.statusCode() == 200) {
                ok++;
                Call call = new Call("stories", "v1/completions", "");
                Answer a = stream ? streamed(call, r) : whole(call, r);
                assertEquals("length", a.finishReason(), "request " + i);
            } else {
                others.add(r.statusCode() + " " + r.body());
            }
        }
        assertTrue(others.isEmpty(), "only 200 and 429 are expected: " + others);
        // The holders run for seconds and the flood arrives in well under one, so 12 are refused; were
        // a slot freed meanwhile, a queued request would move up and fewer be: at least one, at most 12.
        assertTrue(refused >= 1 && refused <= flood - QUEUE_CAPACITY, refused + " refused of " + flood);
        assertEquals(flood, refused + ok);
        System.out.printf("queue overflow: %d of %d refused with 429, %d served; the flood took %d ms%n",
                refused, flood, ok, (System.nanoTime() - t0) / 1_000_000);
        awaitIdle();
        HttpResponse<String> after = http.send(request("v1/completions", """
                {"model":"stories","prompt":"Once upon a time","max_tokens":8,"temperature":0}"""),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), after.body());
    }

    static void awaitIdle() throws InterruptedException {
        for (String p : PIPELINES) awaitState(p, "0 running, 0 waiting", 10_000);
    }

    static void awaitState(String pipeline, String expected, long millis) throws InterruptedException {
        OpenAiApiTest.awaitPipeline(pipeline, expected::equals, expected, millis);
    }
}
