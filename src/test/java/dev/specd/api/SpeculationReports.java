package dev.specd.api;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests and checks the API tests share: posting completions, and reading and checking the
 * {@code speculation} report of whole and streamed answers.
 */
final class SpeculationReports {

    private SpeculationReports() {
    }

    /** The embedded pipelines, in the order /v1/models lists them. */
    static final List<String> PIPELINES = List.of("stories", "stories-target", "stories-cascade", "stories-lookup",
            "stories-suffix", "stories-speccascade", "stories-select");

    static Response post(String path, String body) {
        return OpenAiApiTest.post(path, body);
    }

    /** A greedy completion of {@code prompt} on {@code model}, with {@code extra} JSON fields appended. */
    static String completionRequest(String model, String prompt, int maxTokens, String extra) {
        return """
                {"model":"%s","prompt":"%s","max_tokens":%d,"temperature":0%s}"""
                .formatted(model, prompt, maxTokens, extra.isEmpty() ? "" : "," + extra);
    }

    /** {@code request} with {@code extra} JSON fields appended (none when empty). */
    static String with(String request, String extra) {
        if (extra.isEmpty()) return request;
        int end = request.lastIndexOf('}');
        return request.substring(0, end) + "," + extra + request.substring(end);
    }

    static JsonPath completion(String body) {
        return post("/v1/completions", body).then().statusCode(200).extract().jsonPath();
    }

    /** The speculation object of a whole answer, checked for internal consistency. */
    static Map<String, Object> speculation(JsonPath answer) {
        Map<String, Object> s = answer.getMap("speculation");
        assertNotNull(s, "the answer has a speculation object: " + answer.prettify());
        checkConsistent(s, answer.getInt("usage.completion_tokens"));
        return s;
    }

    static int i(Map<String, Object> s, String key) {
        return ((Number) s.get(key)).intValue();
    }

    static double d(Map<String, Object> s, String key) {
        return ((Number) s.get(key)).doubleValue();
    }

    static void checkConsistent(Map<String, Object> s, Integer completionTokens) {
        for (String key : List.of("mode", "rounds", "drafted", "accepted", "acceptance_rate", "verified_tokens",
                "unverified_tokens", "verified_fraction")) {
            assertTrue(s.containsKey(key), "speculation." + key + " is missing: " + s);
        }
        int drafted = i(s, "drafted"), accepted = i(s, "accepted");
        int verified = i(s, "verified_tokens"), unverified = i(s, "unverified_tokens");
        assertTrue(accepted >= 0 && accepted <= drafted, "0 <= accepted <= drafted: " + s);
        double rate = d(s, "acceptance_rate");
        assertTrue(rate >= 0 && rate <= 1, "acceptance_rate in [0, 1]: " + s);
        assertEquals(drafted == 0 ? 0.0 : (double) accepted / drafted, rate, 1e-6, "acceptance_rate: " + s);
        assertTrue(verified >= 0 && unverified >= 0, s.toString());
        double fraction = d(s, "verified_fraction");
        assertTrue(fraction >= 0 && fraction <= 1, "verified_fraction in [0, 1]: " + s);
        assertEquals(verified + unverified == 0 ? 1.0 : (double) verified / (verified + unverified), fraction, 1e-6,
                "verified_fraction: " + s);
        if (completionTokens != null) {
            assertEquals(completionTokens.intValue(), verified + unverified,
                    "every emitted token is verified or unverified: " + s);
        }
        checkEnergy(s, completionTokens);
    }

    /** The server meters energy (a measured source or the CPU-time model): every report carries it. */
    static void checkEnergy(Map<String, Object> s, Integer completionTokens) {
        for (String key : List.of("energy_joules", "energy_source")) {
            assertTrue(s.containsKey(key), "speculation." + key + " is missing: " + s);
        }
        double joules = d(s, "energy_joules");
        assertTrue(joules >= 0, "energy_joules >= 0: " + s);
        assertFalse(((String) s.get("energy_source")).isBlank(), s.toString());
        if (completionTokens == null) return;
        // Per token is undefined without tokens: then the field is left out.
        assertEquals(completionTokens > 0, s.containsKey("joules_per_token"), s.toString());
        if (completionTokens > 0) {
            // rest-assured reads JSON numbers as floats: compare to float precision
            assertEquals(joules / completionTokens, d(s, "joules_per_token"), 1e-6 * joules / completionTokens,
                    s.toString());
        }
    }

    private static final List<String> ENERGY_KEYS = List.of("energy_joules", "joules_per_token", "energy_source");

    /** A report without its energy, which differs between two runs of the same request. */
    static Map<String, Object> withoutEnergy(Map<String, Object> s) {
        Map<String, Object> rest = new java.util.HashMap<>(s);
        ENERGY_KEYS.forEach(rest::remove);
        return rest;
    }

    static void assertOff(Map<String, Object> s) {
        assertEquals("off", s.get("mode"), s.toString());
        assertEquals(0, i(s, "drafted"), s.toString());
        assertEquals(0, i(s, "accepted"), s.toString());
        assertEquals(0, i(s, "rounds"), s.toString());
        assertEquals(0, i(s, "unverified_tokens"), s.toString());
        assertEquals(1.0, d(s, "verified_fraction"), s.toString());
    }

    static void assertBadSpeculation(String model, String speculation, String param) {
        post("/v1/completions", completionRequest(model, "Once upon a time", 8, "\"speculation\":" + speculation))
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", notNullValue());
    }

    /** Drafts the pipeline's k every round, so that two runs of a request draft alike. */
    static final String STATIC = "\"speculation\":{\"policy\":\"static\"}";

    /** The JSON chunks of a stream that ends with {@code [DONE]}. */
    static List<JsonPath> streamedChunks(String path, String body) {
        Response r = post(path, body);
        r.then().statusCode(200).contentType(containsString("text/event-stream"));
        List<String> events = OpenAiApiTest.sseData(r.asString());
        assertEquals("[DONE]", events.getLast(), r.asString());
        assertTrue(events.size() >= 3, r.asString());
        return events.subList(0, events.size() - 1).stream().map(JsonPath::from).toList();
    }

    /** Only the last chunk has a finish reason and the speculation report, the same as the whole answer's. */
    static void checkStreamReport(String model, List<JsonPath> chunks, JsonPath whole) {
        JsonPath last = chunks.getLast();
        assertEquals(whole.getString("choices[0].finish_reason"), last.getString("choices[0].finish_reason"), model);
        assertNotNull(last.getString("choices[0].finish_reason"), model);
        Map<String, Object> s = last.getMap("speculation");
        assertNotNull(s, model + ": the last chunk has no speculation: " + last.prettify());
        checkConsistent(s, whole.getInt("usage.completion_tokens"));
        assertEquals(withoutEnergy(whole.getMap("speculation")), withoutEnergy(s),
                model + ": streamed and whole reports differ");
        assertEquals(model.equals("stories-cascade") ? "cascade" : "lossless", s.get("mode"), model);
        for (JsonPath c : chunks.subList(0, chunks.size() - 1)) {
            assertNull(c.get("speculation"), model + ": an early chunk has speculation: " + c.prettify());
            assertFalse(c.getMap("$").containsKey("speculation"), model + ": " + c.prettify());
            assertNull(c.getString("choices[0].finish_reason"), model);
        }
    }
}
