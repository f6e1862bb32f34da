package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What clients rely on beyond the happy path: 404s that name the path, retry hints, CORS, the completions extras. */
@QuarkusTest
class ClientConventionsTest {

    @Test
    void anUnknownPathIsNotAMissingModel() {
        given().contentType("application/json").body("{}").post("/v1/nope").then().statusCode(404)
                .body("error.code", equalTo("not_found"))
                .body("error.message", containsString("/v1/nope"));
    }

    @Test
    void badRequestsSayNotToRetry() {
        given().contentType("application/json").body("{\"prompt\":\"x\",\"max_tokens\":0}").post("/v1/completions")
                .then().statusCode(400).header("x-should-retry", "false").body("error.code", equalTo("invalid_value"));
    }

    @Test
    void corsAllowsLocalPagesOnly() {
        given().header("Origin", "http://localhost:3000").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,authorization").options("/v1/chat/completions")
                .then().header("Access-Control-Allow-Origin", "http://localhost:3000");
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/chat/completions").then().header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void severalPromptsGetChoicesIndexedAcrossThem() {
        var r = OpenAiApiTest.post("/v1/completions", """
                {"model":"stories","prompt":["Once upon a time", [1, 400, 300]],"n":2,"max_tokens":3,"temperature":0}""")
                .then().statusCode(200).extract();
        List<Integer> indices = r.path("choices.index");
        assertEquals(List.of(0, 1, 2, 3), indices);
        int prompt = r.path("usage.prompt_tokens");
        assertTrue(prompt >= 4, "both prompts counted: " + prompt);
    }

    @Test
    void echoPutsThePromptFirst() {
        String text = OpenAiApiTest.post("/v1/completions", """
                {"model":"stories","prompt":"Once upon a time","echo":true,"max_tokens":3,"temperature":0}""")
                .then().statusCode(200).extract().path("choices[0].text");
        assertTrue(text.startsWith("Once upon a time"), text);
    }

    @Test
    void whatTheCompletionsEndpointCannotDoIsNamed() {
        for (String field : List.of("\"suffix\":\" end\"", "\"best_of\":3", "\"echo\":true,\"logprobs\":1")) {
            String param = field.substring(1, field.indexOf('"', 1));
            OpenAiApiTest.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2," + field + "}").then()
                    .statusCode(400).body("error.param", equalTo(param)).body("error.code", equalTo("unsupported_parameter"));
        }
    }

    @Test
    void theOpenApiDocumentDescribesTheBodies() {
        given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/chat/completions'.post.requestBody.content.'application/json'.schema.'$ref'",
                        containsString("ChatCompletionRequest"))
                .body("paths.'/v1/chat/completions'.post.responses.'200'.content.'application/json'.schema.'$ref'",
                        containsString("ChatCompletion"))
                .body("components.schemas.ChatCompletion.properties.choices.type", equalTo("array"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
