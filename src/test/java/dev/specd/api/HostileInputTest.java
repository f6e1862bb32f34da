package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.specd.api.OpenAiSurfaceTest.badRequest;
import static dev.specd.api.OpenAiSurfaceTest.ok;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inputs built to cost the server much: refused cheaply, before the expensive work, with a 400
 * naming the field — trailing data and duplicate keys, oversized names echoed back, huge or
 * out-of-vocabulary {@code logit_bias}, prompts that cannot fit the context (refused from their
 * size before tokenising; the pathological 160,000 × "中" took 9.5 s to tokenise).
 */
@QuarkusTest
class HostileInputTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static String json(Object body) throws Exception {
        return JSON.writeValueAsString(body);
    }

    @Test
    void aBodyIsOneJsonValue() {
        for (String trailing : new String[] {" xyz", "{}", "[]", " {\"prompt\":\"b\"}", "\"x\"", "1"}) {
            badRequest("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}" + trailing, null);
        }
        ok("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}  \n\t ");
    }

    @Test
    void aKeyGivenTwiceIsRefusedWhereverItIs() {
        badRequest("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2,\"max_tokens\":3}", "max_tokens");
        badRequest("/v1/completions", "{\"model\":\"stories\",\"model\":\"stories-lookup\",\"prompt\":\"Once\"}", "model");
        badRequest("/v1/completions", "{\"prompt\":\"Once\",\"logit_bias\":{\"5\":1,\"5\":-1}}", "logit_bias.5");
        badRequest("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"role\":\"system\"}]}", "messages[0].role");
    }

    @Test
    void anOversizedModelNameIsEchoedTruncated() throws Exception {
        String model = "m".repeat(1_000_000);
        JsonPath error = given().contentType(ContentType.JSON).body(json(Map.of("model", model, "prompt", "x")))
                .post("/v1/completions").then().statusCode(404).body("error.code", equalTo("model_not_found"))
                .extract().jsonPath();
        String message = error.getString("error.message");
        assertTrue(message.length() < 200, message.length() + " characters");
        assertTrue(message.contains("m".repeat(ApiException.ECHO_CHARS) + "…"), message);
    }

    @Test
    void logitBiasIsBoundedAndInTheVocabulary() throws Exception {
        Map<String, Integer> huge = new LinkedHashMap<>();
        for (int i = 0; i < 250_000; i++) huge.put(String.valueOf(i), 1);
        post(json(Map.of("prompt", "Once", "logit_bias", huge))).body("error.message", containsString("at most 300"));
        post("{\"prompt\":\"Once\",\"logit_bias\":{\"512\":1}}").body("error.message", containsString("0 to 511"));
        post("{\"prompt\":\"Once\",\"logit_bias\":{\"-1\":1}}").body("error.message", containsString("0 to 511"));
        post("{\"prompt\":\"Once\",\"logit_bias\":{\"99999999999999999999\":1}}");
        post("{\"prompt\":\"Once\",\"logit_bias\":{\"x" + "y".repeat(10_000) + "\":1}}")
                .body("error.message", containsString("…"));
        Map<String, Integer> allowed = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) allowed.put(String.valueOf(i + 10), 0);
        ok("/v1/completions", json(Map.of("prompt", "Once", "max_tokens", 2, "logit_bias", allowed)));
    }

    private static io.restassured.response.ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/completions").then().statusCode(400)
                .body("error.param", equalTo("logit_bias")).body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void aPromptThatCannotFitIsRefusedBeforeTokenising() throws Exception {
        // stories: 1,024 tokens per sequence; a token covers at most 7 bytes: 480,000 bytes need ≥ 68,572 tokens
        String cjk = "中".repeat(160_000);
        given().contentType(ContentType.JSON).body(json(Map.of("prompt", cjk))).post("/v1/completions").then()
                .statusCode(400).body("error.param", equalTo("prompt"))
                .body("error.message", containsString("at least"));
        given().contentType(ContentType.JSON).body(json(Map.of("messages",
                        new Object[] {Map.of("role", "user", "content", cjk)}))).post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo("messages"));
        // 1.3M CJK characters, 3.9 MB (under the 4M body limit): over specd.limits.max-prompt-bytes (1M)
        byte[] body = json(Map.of("prompt", "中".repeat(1_300_000))).getBytes(StandardCharsets.UTF_8);
        assertTrue(body.length < 4 * 1024 * 1024, body.length + " bytes");
        String message = given().contentType("application/json; charset=utf-8").body(body).post("/v1/completions")
                .then().statusCode(400).body("error.param", equalTo("prompt")).extract().path("error.message");
        assertTrue(message.contains("at most 1048576 bytes"), message);
        // a prompt just within the budget is still tokenised and measured exactly
        badRequest("/v1/completions", json(Map.of("prompt", "Once upon a time ".repeat(400))), "prompt");
        assertEquals(2, ok("/v1/completions", json(Map.of("prompt", "Once upon a time ".repeat(50),
                "max_tokens", 2))).getInt("usage.completion_tokens"));
    }
}
