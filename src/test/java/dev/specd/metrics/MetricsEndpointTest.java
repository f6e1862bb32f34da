package dev.specd.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * After real requests — target-only, lossless, cascade, and a lossless stream — {@code /q/metrics}
 * holds every specd series for the pipelines used, with values consistent with the answers. The
 * metrics are process-wide and other tests share the server, so the test waits until no request
 * runs or waits, and compares the differences between scrapes before and after its own requests.
 */
@QuarkusTest
class MetricsEndpointTest {

    /** What one answer reported, and the pipeline and mode its metrics are labelled with. */
    private record Answer(String pipeline, String mode, int promptTokens, int completionTokens,
                          Map<String, Object> speculation) {
    }

    private static final Map<String, String> MODES = Map.of("stories-target", "off", "stories", "lossless",
            "stories-cascade", "cascade");

    @Test
    void realRequestsShowInTheMetricsConsistently() throws InterruptedException {
        awaitIdle();
        PrometheusText before = scrape();
        List<Answer> answers = List.of(
                complete("stories-target", 24, ""),
                complete("stories", 32, ""),
                // tau 0.99: the draft model is rarely that sure, so the target is called (escalations)
                complete("stories-cascade", 48, ",\"speculation\":{\"tau\":0.99}"),
                stream("stories", 32));
        PrometheusText after = scrape();
        PrometheusText again = scrape();

        for (Answer a : answers) {
            Map<String, Object> s = a.speculation();
            assertTrue(((Number) s.get("energy_joules")).doubleValue() > 0, "energy_joules > 0: " + s);
            assertFalse(((String) s.get("energy_source")).isBlank(), s.toString());
            assertEquals(((Number) s.get("energy_joules")).doubleValue() / a.completionTokens(),
                    ((Number) s.get("joules_per_token")).doubleValue(), 1e-12 * a.completionTokens(), s.toString());
        }
        for (String pipeline : MODES.keySet()) {
            List<Answer> mine = answers.stream().filter(a -> a.pipeline().equals(pipeline)).toList();
            checkPipeline(pipeline, MODES.get(pipeline), mine, before, after);
        }
        checkSpeculation("stories", "lossless", before, after);
        checkSpeculation("stories-cascade", "cascade", before, after);
        Map<String, String> cascade = Map.of("pipeline", "stories-cascade");
        double escalations = delta("specd_cascade_escalations_total", cascade, before, after);
        assertTrue(escalations > 0, "the cascade called the target");
        assertEquals(delta("specd_spec_decode_num_drafts_total", cascade, before, after), escalations,
                "every cascade round is a call to the target");
        assertTrue(after.has("specd_energy_idle_joules_total", Map.of()), "idle energy is counted apart");
        // Four presets, two model files (the forged target, the stories260K draft), each loaded once.
        List<PrometheusText.Sample> models = after.samples().stream()
                .filter(x -> x.name().equals("specd_models_loaded")).toList();
        assertEquals(2, models.size(), models.toString());
        for (PrometheusText.Sample m : models) assertEquals(1.0, m.value(), m.toString());
        checkMonotone(before, after);
        checkMonotone(after, again);
    }

    /** Every engine turns (its heartbeat), so liveness holds; a stalled one is {@code MicrometerTelemetryTest}'s. */
    @Test
    void livenessFollowsTheEnginesHeartbeats() {
        JsonPath live = JsonPath.from(given().get("/q/health/live").then().statusCode(200).extract().asString());
        assertEquals("UP", live.getString("checks.find { it.name == 'engines' }.status"), live.prettify());
        PrometheusText now = scrape();
        for (String pipeline : MODES.keySet()) {
            Double age = now.value("specd_engine_turn_age_seconds", Map.of("engine", engineOf(pipeline)));
            assertNotNull(age, pipeline);
            assertTrue(age < 5, "an idle engine turns every 0.2 s: " + pipeline + " " + age);
        }
    }

    /** The series of one pipeline, and their differences over this test's requests. */
    private static void checkPipeline(String pipeline, String mode, List<Answer> answers, PrometheusText before,
                                      PrometheusText after) {
        Map<String, String> p = Map.of("pipeline", pipeline);
        Map<String, String> pm = Map.of("pipeline", pipeline, "mode", mode);
        // The gauges of the engine the pipeline is a preset of.
        Map<String, String> engine = Map.of("engine", engineOf(pipeline));
        for (String gauge : List.of("specd_num_requests_running", "specd_num_requests_waiting", "specd_batch_rows",
                "specd_kv_cache_used_cells", "specd_saturation", "specd_engine_turn_age_seconds")) {
            assertTrue(after.has(gauge, engine), gauge + " of " + pipeline);
        }
        assertEquals(4, after.sum("specd_sequences_capacity", engine), "the shipped pipelines' sequences");
        assertEquals(64, after.sum("specd_queue_capacity", engine), "specd.scheduler.queue-capacity");
        assertEquals(4096, after.sum("specd_kv_cache_capacity_cells", engine), "the shipped pipelines' context");
        assertTrue(after.has("specd_speculation_k", p), "specd_speculation_k of " + pipeline);
        for (String counter : List.of("specd_cascade_escalations_total", "specd_deoptimisations_total")) {
            assertTrue(after.has(counter, p), counter + " of " + pipeline);
        }
        for (String histogram : List.of("specd_time_to_first_token_seconds", "specd_inter_token_latency_seconds",
                "specd_request_queue_time_seconds")) {
            checkHistogram(after, histogram, p);
        }
        for (String histogram : List.of("specd_e2e_request_latency_seconds", "specd_time_per_output_token_seconds")) {
            checkHistogram(after, histogram, pm);
        }
        int n = answers.size();
        assertEquals(n, delta("specd_time_to_first_token_seconds_count", p, before, after), "TTFT of " + pipeline);
        assertEquals(n, delta("specd_request_queue_time_seconds_count", p, before, after), "queue time of " + pipeline);
        assertEquals(n, delta("specd_e2e_request_latency_seconds_count", pm, before, after), "e2e of " + pipeline);
        assertEquals(n, delta("specd_requests_total", pm, before, after), "requests of " + pipeline);
        assertEquals(n, delta("specd_requests_total", withLabel(pm, "finish_reason", "length"), before, after),
                "finish reasons of " + pipeline);
        assertEquals(answers.stream().mapToInt(Answer::completionTokens).sum(),
                delta("specd_generation_tokens_total", pm, before, after), "generation tokens of " + pipeline);
        assertEquals(answers.stream().mapToInt(Answer::promptTokens).sum(),
                delta("specd_prompt_tokens_total", pm, before, after), "prompt tokens of " + pipeline);
        assertEquals(answers.stream().mapToInt(a -> ((Number) a.speculation().get("unverified_tokens")).intValue()).sum(),
                delta("specd_unverified_tokens_total", pm, before, after), "unverified tokens of " + pipeline);
        assertEquals(answers.stream().mapToInt(a -> ((Number) a.speculation().get("verified_tokens")).intValue()).sum(),
                delta("specd_verified_tokens_total", pm, before, after), "verified tokens of " + pipeline);

        List<PrometheusText.Sample> energy = after.find("specd_energy_joules_total", pm);
        assertFalse(energy.isEmpty(), "energy of " + pipeline);
        for (PrometheusText.Sample e : energy) {
            assertFalse(e.labels().getOrDefault("source", "").isBlank(), "energy has its source: " + e);
        }
        double joules = delta("specd_energy_joules_total", pm, before, after);
        assertTrue(joules > 0, "energy of " + pipeline);
        double answered = answers.stream().mapToDouble(a -> ((Number) a.speculation().get("energy_joules")).doubleValue())
                .sum();
        assertEquals(answered, joules, 1e-9 * answered, "the metrics count the joules the answers report");
        assertTrue(after.sum("specd_energy_joules_per_token", pm) > 0, "joules per token of " + pipeline);
    }

    private static void checkHistogram(PrometheusText text, String name, Map<String, String> labels) {
        assertTrue(text.has(name + "_count", labels), name + " " + labels);
        assertTrue(text.has(name + "_sum", labels), name + " " + labels);
        Map<String, String> inf = withLabel(labels, "le", "+Inf");
        assertEquals(text.sum(name + "_count", labels), text.sum(name + "_bucket", inf), name + ": +Inf = count");
        assertTrue(text.has(name + "_bucket", withLabel(labels, "le", "0.001")), name + " starts at 1 ms");
    }

    /** vLLM's spec-decode counters: acceptance in [0, 1], per-position counts a non-increasing split of the total. */
    private static void checkSpeculation(String pipeline, String mode, PrometheusText before, PrometheusText after) {
        Map<String, String> pm = Map.of("pipeline", pipeline, "mode", mode);
        double drafts = delta("specd_spec_decode_num_drafts_total", pm, before, after);
        double drafted = delta("specd_spec_decode_num_draft_tokens_total", pm, before, after);
        double accepted = delta("specd_spec_decode_num_accepted_tokens_total", pm, before, after);
        assertTrue(drafts > 0 && drafted >= drafts, pipeline + ": " + drafts + " drafts of " + drafted + " tokens");
        double acceptance = accepted / drafted;
        assertTrue(acceptance >= 0 && acceptance <= 1, pipeline + " acceptance " + acceptance);
        for (PrometheusText text : List.of(before, after)) {
            List<PrometheusText.Sample> byPosition = new ArrayList<>(text.find("specd_spec_decode_num_accepted_tokens_per_pos_total", pm));
            byPosition.sort(Comparator.comparingInt(s -> Integer.parseInt(s.labels().get("position"))));
            for (int i = 0; i < byPosition.size(); i++) {
                assertEquals(Integer.toString(i), byPosition.get(i).labels().get("position"), "positions from 0 on");
                if (i > 0) {
                    assertTrue(byPosition.get(i).value() <= byPosition.get(i - 1).value(),
                            pipeline + ": position " + i + " accepted more than the one before: " + byPosition);
                }
            }
            assertEquals(text.sum("specd_spec_decode_num_accepted_tokens_total", pm),
                    byPosition.stream().mapToDouble(PrometheusText.Sample::value).sum(),
                    pipeline + ": the positions split the accepted total");
        }
        assertFalse(after.find("specd_spec_decode_num_accepted_tokens_per_pos_total", pm).isEmpty());
    }

    /** No counter, histogram count, sum or bucket of specd went down from {@code earlier} to {@code later}. */
    private static void checkMonotone(PrometheusText earlier, PrometheusText later) {
        int checked = 0;
        for (PrometheusText.Sample s : earlier.samples()) {
            if (!s.name().startsWith("specd_")) continue;
            boolean cumulative = s.name().endsWith("_total") || s.name().endsWith("_count")
                    || s.name().endsWith("_sum") || s.name().endsWith("_bucket");
            if (!cumulative) continue;
            Double now = later.value(s.name(), s.labels());
            assertNotNull(now, "a series disappeared: " + s);
            assertTrue(now >= s.value(), "went down: " + s + " -> " + now);
            checked++;
        }
        assertTrue(checked > 0);
    }

    private static double delta(String name, Map<String, String> labels, PrometheusText before, PrometheusText after) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static Map<String, String> withLabel(Map<String, String> labels, String key, String value) {
        Map<String, String> out = new java.util.HashMap<>(labels);
        out.put(key, value);
        return out;
    }

    /** The engine a pipeline is a preset of (its metrics' {@code engine} label). */
    static String engineOf(String pipeline) {
        return given().get("/v1/pipelines/" + pipeline).path("engine");
    }

    private static PrometheusText scrape() {
        return PrometheusText.parse(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    /** Until no request of an earlier test runs or waits on any pipeline, so that the differences are ours. */
    private static void awaitIdle() throws InterruptedException {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            PrometheusText now = scrape();
            boolean seen = MODES.keySet().stream().allMatch(p -> now.has("specd_num_requests_running", Map.of("engine", engineOf(p))));
            double busy = now.sum("specd_num_requests_running", Map.of()) + now.sum("specd_num_requests_waiting", Map.of());
            if (seen && busy == 0) return;
            if (System.nanoTime() - limit > 0) fail("the pipelines did not become idle: " + busy + " requests");
            Thread.sleep(50);
        }
    }

    /** Numbers as doubles: rest-assured's default floats would lose the joules' digits. */
    private static JsonPath json(String body) {
        return JsonPath.from(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    }

    private static Answer complete(String model, int maxTokens, String extra) {
        JsonPath a = json(given().contentType(ContentType.JSON).body("""
                        {"model":"%s","prompt":"Once upon a time","max_tokens":%d,"temperature":0,"ignore_eos":true%s}"""
                        .formatted(model, maxTokens, extra))
                .post("/v1/completions").then().statusCode(200).extract().asString());
        return new Answer(model, MODES.get(model), a.getInt("usage.prompt_tokens"), a.getInt("usage.completion_tokens"),
                a.getMap("speculation"));
    }

    /** A streamed chat answer with its usage; the speculation report rides on the choice's closing chunk. */
    private static Answer stream(String model, int maxTokens) {
        Response r = given().contentType(ContentType.JSON).body("""
                {"model":"%s","messages":[{"role":"user","content":"Lily went to the park"}],"max_tokens":%d,
                 "temperature":0,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}"""
                .formatted(model, maxTokens)).post("/v1/chat/completions");
        r.then().statusCode(200);
        List<String> events = Arrays.stream(r.asString().split("\n")).filter(l -> l.startsWith("data: "))
                .map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", events.getLast());
        Map<String, Object> speculation = null;
        JsonPath usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonPath chunk = json(e);
            if (chunk.getMap("speculation") != null) speculation = chunk.getMap("speculation");
            if (chunk.getMap("usage") != null) usage = chunk;
        }
        assertNotNull(speculation, "the closing chunk reports speculation");
        assertNotNull(usage, "include_usage sends the usage");
        return new Answer(model, MODES.get(model), usage.getInt("usage.prompt_tokens"),
                usage.getInt("usage.completion_tokens"), speculation);
    }
}
