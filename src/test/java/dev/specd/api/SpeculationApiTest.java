package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.specd.api.SpeculationReports.PIPELINES;
import static dev.specd.api.SpeculationReports.STATIC;
import static dev.specd.api.SpeculationReports.assertBadSpeculation;
import static dev.specd.api.SpeculationReports.assertOff;
import static dev.specd.api.SpeculationReports.checkStreamReport;
import static dev.specd.api.SpeculationReports.completion;
import static dev.specd.api.SpeculationReports.completionRequest;
import static dev.specd.api.SpeculationReports.d;
import static dev.specd.api.SpeculationReports.i;
import static dev.specd.api.SpeculationReports.post;
import static dev.specd.api.SpeculationReports.speculation;
import static dev.specd.api.SpeculationReports.streamedChunks;
import static dev.specd.api.SpeculationReports.with;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculation through the API, on the four embedded pipelines: the plans they serve, that lossless
 * speculation gives the target's greedy text, per-request {@code speculation} overrides and their
 * errors, the {@code speculation} report in whole and streamed answers, and seeded sampling.
 */
@QuarkusTest
class SpeculationApiTest {


    // ---- 1. models and plans ----

    @Test
    void modelsListsTheEmbeddedPipelinesInOrder() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", equalTo(PIPELINES));
    }

    @Test
    void pipelinesListsTheCompiledPlans() {
        JsonPath list = given().get("/v1/pipelines").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data", hasSize(PIPELINES.size()))
                .extract().jsonPath();
        assertEquals(PIPELINES, list.getList("data.id"));
        assertEquals(List.of("lossless", "off", "cascade", "lossless", "lossless", "cascade", "lossless"),
                list.getList("data.mode"));
        assertEquals(List.of(8, 0, 8, 8, 16, 8, 8), list.getList("data.k"));
        assertEquals(List.of(9, 1, 9, 9, 17, 9, 9), list.getList("data.verify_rows"));
        for (int p = 0; p < PIPELINES.size(); p++) {
            String at = "data[" + p + "].";
            String id = list.getString(at + "id");
            assertFalse(list.getString(at + "description").isBlank(), id);
            assertFalse(list.getString(at + "target").isBlank(), id);
            assertEquals(4096, list.getInt(at + "context_length"), id);
            assertEquals(4, list.getInt(at + "sequences"), id);
            String plan = list.getString(at + "plan");
            assertTrue(plan.startsWith("plan " + id), plan);
            assertTrue(plan.contains("drafter"), plan);
            assertTrue(plan.contains("mode        " + list.getString(at + "mode")), plan);
            List<String> passes = list.getList(at + "passes");
            assertFalse(passes.isEmpty(), id);
            for (String pass : passes) assertTrue(plan.contains("pass        " + pass), pass + " in " + plan);
            List<String> drafters = list.getList(at + "drafters");
            if (id.equals("stories-target")) {
                assertTrue(drafters.isEmpty(), drafters.toString());
                assertFalse(plan.contains("verify batch"), plan);
            } else {
                assertEquals(id.equals("stories-select") ? 3 : 1, drafters.size(), drafters.toString());
                for (String d : drafters) assertTrue(plan.contains("drafter     " + d), d + " in " + plan);
                assertTrue(plan.contains("verify batch: " + list.getInt(at + "verify_rows") + " rows"), plan);
            }
        }
        assertTrue(list.getString("data[0].drafters[0]").startsWith("model "), list.getString("data[0].drafters[0]"));
        assertTrue(list.getString("data[3].drafters[0]").startsWith("prompt lookup"), list.getString("data[3].drafters[0]"));
    }

    @Test
    void onePipelineAndAnUnknownOne() {
        given().get("/v1/pipelines/stories-cascade").then().statusCode(200)
                .body("id", equalTo("stories-cascade"))
                .body("mode", equalTo("cascade"))
                .body("k", equalTo(8))
                .body("verify_rows", equalTo(9))
                .body("drafters", hasSize(1))
                .body("passes.size()", not(equalTo(0)))
                .body("plan", containsString("cascade (max_prob >= 0.7, rollback 0.0, at most 32 unverified)"));
        given().get("/v1/pipelines/nope").then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("pipeline_not_found"))
                .body("error.param", equalTo("id"))
                .body("error.message", containsString("nope"));
    }

    // ---- 2. greedy equality ----

    @Test
    void greedyTextIsTheSameOnEveryPipeline() {
        String prompt = "Once upon a time";
        JsonPath target = completion(completionRequest("stories-target", prompt, 32, ""));
        String text = target.getString("choices[0].text");
        assertEquals(32, target.getInt("usage.completion_tokens"));
        assertTrue(text.length() > 20, text);
        assertOff(speculation(target));

        for (String model : List.of("stories", "stories-cascade", "stories-lookup")) {
            // A fixed k: whether the adaptive policy drafts depends on timings, which this test must not.
            String extra = model.equals("stories-cascade") ? "\"speculation\":{\"tau\":1.0}" : STATIC;
            JsonPath answer = completion(completionRequest(model, prompt, 32, extra));
            assertEquals(model, answer.getString("model"));
            assertEquals(text, answer.getString("choices[0].text"), model + " differs from the target");
            assertEquals(32, answer.getInt("usage.completion_tokens"), model);
            Map<String, Object> s = speculation(answer);
            assertEquals(model.equals("stories-cascade") ? "cascade" : "lossless", s.get("mode"), model);
            assertTrue(i(s, "drafted") > 0, model + " drafted: " + s);
            assertTrue(i(s, "rounds") > 0, model + ": " + s);
            assertEquals(1.0, d(s, "verified_fraction"), model + ": " + s);
            assertEquals(0, i(s, "unverified_tokens"), model + ": " + s);
            assertEquals(32, i(s, "verified_tokens"), model + ": " + s);
        }
        // the model drafter, at most k = 8 per round, agrees with the forged target most of the time
        Map<String, Object> lossless = speculation(completion(completionRequest("stories", prompt, 32, STATIC)));
        assertTrue(i(lossless, "drafted") <= 8 * i(lossless, "rounds"), lossless.toString());
        assertTrue(i(lossless, "accepted") > 0, lossless.toString());
    }

    @Test
    void suffixSelectionAndAlwaysDeferringCascadesGiveTheTargetsGreedyText() {
        String prompt = "Lily wanted to play with the big red ball";
        String text = completion(completionRequest("stories-target", prompt, 24, "")).getString("choices[0].text");
        for (String model : List.of("stories-suffix", "stories-select", "stories-speccascade")) {
            String extra = switch (model) {
                case "stories-speccascade" -> "\"speculation\":{\"rule\":\"diff\",\"alpha\":-1}"; // always defers
                case "stories-select" -> "\"speculation\":{\"policy\":\"static\"}";
                default -> "";
            };
            JsonPath answer = completion(completionRequest(model, prompt, 24, extra));
            assertEquals(text, answer.getString("choices[0].text"), model + " differs from the target");
            Map<String, Object> s = speculation(answer);
            @SuppressWarnings("unchecked")
            Map<String, Object> rounds = (Map<String, Object>) s.get("drafter_rounds");
            if (i(s, "rounds") > 0) assertTrue(rounds != null && !rounds.isEmpty(), model + ": " + s);
            if (model.equals("stories-speccascade")) {
                assertEquals(i(s, "rounds"), i(rounds, "model"), s.toString());
                assertTrue(i(s, "deferred_positions") > 0, s.toString());
            }
        }
    }

    // ---- 3. per-request overrides ----

    @Test
    void modeOffSwitchesSpeculationOff() {
        String request = completionRequest("stories", "Once upon a time", 24, "");
        JsonPath off = completion(with(request, "\"speculation\":{\"mode\":\"off\"}"));
        assertOff(speculation(off));
        assertEquals(completion(request).getString("choices[0].text"), off.getString("choices[0].text"));
    }

    @Test
    void kOneDraftsAtMostOneTokenPerRound() {
        JsonPath answer = completion(completionRequest("stories", "Once upon a time", 24,
                "\"speculation\":{\"k\":1}"));
        Map<String, Object> s = speculation(answer);
        assertEquals("lossless", s.get("mode"));
        assertTrue(i(s, "drafted") > 0, s.toString());
        assertTrue(i(s, "drafted") <= i(s, "rounds"), s.toString());
        // the static policy with the pipeline's k 8 drafts more than one token in some round
        Map<String, Object> k4 = speculation(completion(completionRequest("stories", "Once upon a time", 24,
                STATIC)));
        assertTrue(i(k4, "drafted") > i(k4, "rounds"), k4.toString());
    }

    @Test
    void impossibleOrInvalidOverridesAre400s() {
        assertBadSpeculation("stories-target", "{\"mode\":\"lossless\"}", "speculation.mode");
        assertBadSpeculation("stories-target", "{\"mode\":\"cascade\"}", "speculation.mode");
        assertBadSpeculation("stories-lookup", "{\"mode\":\"cascade\"}", "speculation.mode");
        assertBadSpeculation("stories", "{\"k\":0}", "speculation.k");
        assertBadSpeculation("stories", "{\"k\":33}", "speculation.k");
        assertBadSpeculation("stories-lookup", "{\"k\":-1}", "speculation.k");
        assertBadSpeculation("stories-cascade", "{\"tau\":1.5}", "speculation.tau");
        assertBadSpeculation("stories-cascade", "{\"tau\":-0.1}", "speculation.tau");
        assertBadSpeculation("stories", "{\"mode\":\"turbo\"}", "speculation.mode");
        assertBadSpeculation("stories", "{\"policy\":\"jit\"}", "speculation.policy");
        assertBadSpeculation("stories", "{\"policy\":7}", "speculation.policy");
        assertBadSpeculation("stories", "{\"rule\":\"chow\"}", "speculation.rule");
        assertBadSpeculation("stories-speccascade", "{\"rule\":\"magic\"}", "speculation.rule");
        assertBadSpeculation("stories-speccascade", "{\"alpha\":2}", "speculation.alpha");
        assertBadSpeculation("stories-cascade", "{\"alpha\":0.5}", "speculation.alpha");
        assertBadSpeculation("stories-speccascade", "{\"tau\":0.5}", "speculation.tau");
        assertBadSpeculation("stories-select", "{\"drafter_selection\":\"best\"}", "speculation.drafter_selection");
        // the same checks on the chat endpoint
        post("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"user","content":"hi"}],"max_tokens":4,
                 "speculation":{"k":33}}""").then().statusCode(400).body("error.param", equalTo("speculation.k"));
        // off is always allowed, even where nothing drafts; k and tau at their bounds are accepted
        assertOff(speculation(completion(completionRequest("stories-target", "Once", 4, "\"speculation\":{\"mode\":\"off\"}"))));
        completion(completionRequest("stories", "Once", 4, "\"speculation\":{\"k\":32}"));
        completion(completionRequest("stories-cascade", "Once", 4, "\"speculation\":{\"tau\":0.0}"));
    }

    @Test
    void lookupPipelineRunsLosslessAndModelPipelineRunsCascadeOnRequest() {
        Map<String, Object> s = speculation(completion(completionRequest("stories", "Once upon a time", 16,
                "\"speculation\":{\"mode\":\"cascade\",\"tau\":1.0}")));
        assertEquals("cascade", s.get("mode"), s.toString());
        Map<String, Object> l = speculation(completion(completionRequest("stories-cascade", "Once upon a time", 16,
                "\"speculation\":{\"mode\":\"lossless\"}")));
        assertEquals("lossless", l.get("mode"), l.toString());
        assertEquals(1.0, d(l, "verified_fraction"), l.toString());
    }

    @Test
    void cascadeWithTauZeroLeavesTokensUnverified() {
        JsonPath answer = completion(completionRequest("stories-cascade", "Once upon a time", 48,
                "\"speculation\":{\"tau\":0.0},\"ignore_eos\":true"));
        assertEquals(48, answer.getInt("usage.completion_tokens"));
        Map<String, Object> s = speculation(answer);
        assertEquals("cascade", s.get("mode"));
        assertTrue(i(s, "unverified_tokens") > 0, s.toString());
        assertTrue(d(s, "verified_fraction") < 1.0, s.toString());
        // the draft model runs alone for at most max_unverified = 32 tokens before the target checks them
        assertTrue(i(s, "unverified_tokens") <= 32, s.toString());
        assertTrue(i(s, "drafted") > 0, s.toString());
    }

    // ---- 4. streaming ----

    @Test
    void streamedCompletionsEqualTheWholeAnswerAndEndWithTheReport() {
        for (String model : List.of("stories", "stories-cascade")) {
            // A fixed k: the adaptive policy's choices depend on timings, so two runs' reports would differ.
            String request = completionRequest(model, "Once upon a time", 40, STATIC);
            JsonPath whole = completion(request);
            List<JsonPath> chunks = streamedChunks("/v1/completions", with(request, "\"stream\":true"));
            String streamed = chunks.stream().map(c -> c.getString("choices[0].text")).collect(Collectors.joining());
            assertEquals(whole.getString("choices[0].text"), streamed, model);
            for (JsonPath c : chunks) assertEquals("text_completion", c.getString("object"), model);
            checkStreamReport(model, chunks, whole);
        }
    }

    @Test
    void streamedChatEqualsTheWholeAnswerAndEndsWithTheReport() {
        for (String model : List.of("stories", "stories-cascade")) {
            String request = """
                    {"model":"%s","messages":[{"role":"user","content":"Lily went to the park"}],
                     "max_tokens":40,"temperature":0,%s%%s}""".formatted(model, STATIC);
            JsonPath whole = post("/v1/chat/completions", request.formatted("")).then().statusCode(200)
                    .body("object", equalTo("chat.completion"))
                    .extract().jsonPath();
            List<JsonPath> chunks = streamedChunks("/v1/chat/completions", request.formatted(",\"stream\":true"));
            assertEquals("assistant", chunks.getFirst().getString("choices[0].delta.role"), model);
            String streamed = chunks.stream().map(c -> c.getString("choices[0].delta.content"))
                    .filter(s -> s != null).collect(Collectors.joining());
            assertEquals(whole.getString("choices[0].message.content"), streamed, model);
            for (JsonPath c : chunks) assertEquals("chat.completion.chunk", c.getString("object"), model);
            checkStreamReport(model, chunks, whole);
        }
    }

    // ---- 5. seeded sampling ----

    @Test
    void seededSamplingWithSpeculationIsReproducible() {
        String request = """
                {"model":"stories","prompt":"Once upon a time","max_tokens":24,"temperature":0.8,"seed":%d}""";
        JsonPath first = completion(request.formatted(7));
        String text = first.getString("choices[0].text");
        assertEquals(text, completion(request.formatted(7)).getString("choices[0].text"));
        Map<String, Object> s = speculation(first);
        assertEquals("lossless", s.get("mode"));
        assertTrue(i(s, "drafted") > 0, s.toString());
        assertEquals(1.0, d(s, "verified_fraction"), s.toString());
        List<String> others = List.of(8, 9, 10).stream()
                .map(seed -> completion(request.formatted(seed)).getString("choices[0].text")).toList();
        assertTrue(others.stream().anyMatch(o -> !o.equals(text)), "seeds 7..10 all gave " + text);
    }

    @Test
    void targetOnlyAnswersReportSpeculationOff() {
        post("/v1/chat/completions", """
                {"model":"stories-target","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0}""")
                .then().statusCode(200)
                .body("speculation.mode", equalTo("off"))
                .body("speculation.drafted", equalTo(0))
                .body("speculation.unverified_tokens", equalTo(0))
                .body("speculation.verified_fraction", equalTo(1.0f))
                .body("choices[0].message.speculation", nullValue());
    }
}
