package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.specd.api.SpeculationReports.STATIC;
import static dev.specd.api.SpeculationReports.completion;
import static dev.specd.api.SpeculationReports.completionRequest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/pipelines/{id}/advice} on the embedded pipelines: after a few completions the
 * speculating preset answers the closed form's prediction per k; target-only answers why not; an
 * unknown id is 404.
 */
@QuarkusTest
class PipelineAdviceTest {

    @Test
    void aSpeculatingPresetPredictsEveryDraftLength() {
        for (String prompt : List.of("Once upon a time", "The little dog", "Lily went to the park")) {
            completion(completionRequest("stories", prompt, 32, STATIC));
        }
        JsonPath a = given().get("/v1/pipelines/stories/advice").then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("pipeline", equalTo("stories"))
                .body("mode", equalTo("lossless"))
                .body("reason", nullValue())
                .extract().jsonPath();
        assertTrue(a.getLong("rounds_observed") > 0, a.prettify());
        Map<String, Object> costs = a.getMap("advice.costs");
        assertTrue(((Number) costs.get("draft_ms_per_step")).doubleValue() > 0, a.prettify());
        assertTrue(((Number) costs.get("overhead_ms")).doubleValue() >= 0);
        assertTrue(((Number) costs.get("cost_ratio")).doubleValue() > 0);
        assertEquals(9, a.getMap("advice.costs.verify_ms_by_rows").size(), "rows 1..k+1 for k up to 8");
        List<Map<String, Object>> classes = a.getList("advice.classes");
        assertTrue(classes.size() >= 2, "greedy and sampled at least");
        assertEquals("lossless/greedy", classes.getFirst().get("class"));
        assertEquals("lossless/sampled", classes.get(1).get("class"));
        assertTrue(((Number) classes.getFirst().get("rounds")).doubleValue() > 0, "the greedy rounds were counted");
        for (int c = 0; c < classes.size(); c++) {
            String at = "advice.classes[" + c + "].";
            List<Map<String, Object>> points = a.getList(at + "points");
            assertEquals(9, points.size(), "k = 0..8");
            assertEquals(8, a.getList(at + "alphas").size());
            assertEquals(1.0, a.getDouble(at + "points[0].speedup"), 1e-9, "k = 0 is target-only");
            assertEquals(1.0, a.getDouble(at + "points[0].expected_tokens"), 1e-9);
            int best = 0;
            for (int k = 1; k < points.size(); k++) {
                if (a.getDouble(at + "points[" + k + "].speedup") > a.getDouble(at + "points[" + best + "].speedup")) best = k;
            }
            assertEquals(best, a.getInt(at + "recommended_k"), "the recommended k is the argmax: " + a.prettify());
            assertEquals(a.getDouble(at + "points[" + best + "].speedup"), a.getDouble(at + "predicted_speedup"), 1e-9);
            Map<String, Object> rec = a.getMap(at + "recommendation");
            if (best == 0) {
                assertEquals(Map.of("mode", "off"), rec);
            } else {
                assertEquals("lossless", rec.get("mode"));
                assertEquals(best, rec.get("k"));
                assertEquals("static", rec.get("policy"));
            }
        }
        assertEquals(a.getMap("advice.classes[0].recommendation"), a.getMap("advice.recommendation"));
        // Energy: a figure only where a meter charged the preset's requests, and then one per k.
        Object watts = a.get("advice.watts");
        Object j = a.get("advice.classes[0].points[1].joules_per_token");
        assertEquals(watts == null, j == null, a.prettify());
        assertNotNull(a.getString("advice.energy_source"));
    }

    @Test
    void targetOnlyHasNoAdviceButSaysWhy() {
        JsonPath a = given().get("/v1/pipelines/stories-target/advice").then().statusCode(200)
                .body("pipeline", equalTo("stories-target"))
                .body("mode", equalTo("off"))
                .body("advice", nullValue())
                .extract().jsonPath();
        assertFalse(a.getString("reason").isBlank());
        assertTrue(a.getString("reason").contains("target-only"), a.getString("reason"));
    }

    @Test
    void anUnknownPipelineIs404() {
        given().get("/v1/pipelines/nope/advice").then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("error.code", equalTo("pipeline_not_found"))
                .body("error.param", equalTo("id"));
    }
}
