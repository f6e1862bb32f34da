package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tools and structured output over HTTP, on models carrying each family's real chat template
 * (forged from stories260K, drafted by stories260K): forced calls come back as
 * {@code message.tool_calls} / {@code delta.tool_calls} with arguments valid for the function's
 * parameters, whole and streamed; structured outputs validate; what cannot be honoured is a 400.
 */
@QuarkusTest
@TestProfile(ToolsProfile.class)
class ToolsApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PARAMS = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":8},
             "unit":{"enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}""";
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":%s}},
             {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}]"""
            .formatted(PARAMS);

    static String chat(String model, String extra) {
        String max = extra.contains("\"max_tokens\"") ? "" : "\"max_tokens\":160,";
        String messages = extra.contains("\"messages\"") ? ""
                : "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}],";
        return "{\"model\":\"%s\",%s%s\"seed\":7,%s}".formatted(model, messages, max, extra);
    }

    static void assertValid(String schema, String json) throws Exception {
        var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(schema))
                .validate(JSON.readTree(json));
        assertTrue(errors.isEmpty(), json + " fails " + errors);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-qwen", "tools-hermes", "tools-llama", "tools-mistral"})
    void aForcedCallComesBackAsToolCalls(String model) throws Exception {
        JsonNode r = JSON.readTree(OpenAiApiTest.post("/v1/chat/completions", chat(model,
                "\"tools\":" + TOOLS + ",\"parallel_tool_calls\":false,"
                        + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"))
                .then().statusCode(200).extract().asString());
        JsonNode choice = r.at("/choices/0");
        assertEquals("tool_calls", choice.path("finish_reason").asText(), r.toString());
        JsonNode call = choice.at("/message/tool_calls/0");
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.at("/function/name").asText());
        assertTrue(call.path("id").asText().length() >= 9, call.toString());
        assertValid(PARAMS, call.at("/function/arguments").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-qwen", "tools-mistral"})
    void requiredCallsStreamAsDeltaToolCalls(String model) throws Exception {
        String body = OpenAiApiTest.post("/v1/chat/completions", chat(model,
                "\"tools\":" + TOOLS + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false,\"stream\":true"))
                .then().statusCode(200)
                .extract().asString();
        List<JsonNode> calls = new ArrayList<>();
        String finish = null;
        for (String data : OpenAiApiTest.sseData(body)) {
            if (data.equals("[DONE]")) continue;
            JsonNode chunk = JSON.readTree(data);
            JsonNode delta = chunk.at("/choices/0/delta");
            delta.path("tool_calls").forEach(calls::add);
            if (chunk.at("/choices/0/finish_reason").isTextual()) finish = chunk.at("/choices/0/finish_reason").asText();
        }
        assertEquals("tool_calls", finish, body);
        assertTrue(!calls.isEmpty(), body);
        for (int i = 0; i < calls.size(); i++) {
            JsonNode c = calls.get(i);
            assertEquals(i, c.path("index").asInt());
            String name = c.at("/function/name").asText();
            assertTrue(List.of("get_weather", "get_time").contains(name), name);
            if (name.equals("get_weather")) assertValid(PARAMS, c.at("/function/arguments").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-qwen", "stories"})
    void structuredOutputValidates(String model) throws Exception {
        String schema = """
                {"type":"object","properties":{"name":{"type":"string","maxLength":6},"age":{"type":"integer","minimum":1,"maximum":9}},
                 "required":["name","age"],"additionalProperties":false}""";
        String text = OpenAiApiTest.post("/v1/chat/completions", chat(model,
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"kid\",\"strict\":true,\"schema\":"
                        + schema + "}}")).then().statusCode(200).body("choices[0].finish_reason", equalTo("stop"))
                .extract().path("choices[0].message.content");
        assertValid(schema, text);
        String object = OpenAiApiTest.post("/v1/chat/completions", chat(model,
                "\"response_format\":{\"type\":\"json_object\"},\"max_tokens\":200")).then().statusCode(200)
                .extract().asString();
        // Any object may nest without end: only a finished one must parse (a cut one ends with "length").
        JsonNode answer = JSON.readTree(object).at("/choices/0");
        if (answer.path("finish_reason").asText().equals("stop")) {
            assertTrue(JSON.readTree(answer.at("/message/content").asText()).isObject(), object);
        }
    }

    @Test
    void whatCannotBeHonouredIsA400NamingIt() {
        OpenAiApiTest.post("/v1/chat/completions", chat("stories", "\"tools\":" + TOOLS)).then().statusCode(400)
                .body("error.param", equalTo("tools")).body("error.code", equalTo("unsupported_parameter"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-qwen",
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                        + "{\"type\":\"array\",\"uniqueItems\":true}}}")).then().statusCode(400)
                .body("error.param", equalTo("response_format.json_schema.schema"))
                .body("error.message", containsString("uniqueItems"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-qwen", "\"tool_choice\":\"required\"")).then()
                .statusCode(400).body("error.param", equalTo("tool_choice"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-qwen", "\"tools\":" + TOOLS
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}")).then().statusCode(400)
                .body("error.param", equalTo("tool_choice"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-qwen", "\"functions\":[]")).then().statusCode(400)
                .body("error.param", equalTo("functions"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-qwen",
                "\"response_format\":{\"type\":\"json_object\"},\"ignore_eos\":true")).then().statusCode(400)
                .body("error.param", equalTo("ignore_eos"));
        OpenAiApiTest.post("/v1/chat/completions", chat("tools-mistral", "\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"user\",\"content\":\"b\"}]")).then().statusCode(400).body("error.param", equalTo("messages"));
    }

    @Test
    void aConversationWithToolResultsRenders() {
        String messages = """
                [{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"abcdefghi","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\", \\"unit\\": \\"celsius\\"}"}}]},
                 {"role":"tool","tool_call_id":"abcdefghi","content":"21 degrees"}]""";
        for (String model : List.of("tools-qwen", "tools-hermes", "tools-llama", "tools-mistral")) {
            OpenAiApiTest.post("/v1/chat/completions", """
                    {"model":"%s","messages":%s,"tools":%s,"max_tokens":4}""".formatted(model, messages, TOOLS))
                    .then().statusCode(200).body("usage.prompt_tokens", org.hamcrest.Matchers.greaterThan(100));
        }
    }

    @Test
    void completionsTakeGuidedDecoding() {
        String choice = OpenAiApiTest.post("/v1/completions", """
                {"model":"stories","prompt":"The cat was","max_tokens":8,"guided_choice":[" happy"," sad"," sleepy"]}""")
                .then().statusCode(200).extract().path("choices[0].text");
        assertTrue(List.of(" happy", " sad", " sleepy").contains(choice), choice);
        String digits = OpenAiApiTest.post("/v1/completions", """
                {"model":"stories","prompt":"Her number is","max_tokens":12,"guided_regex":" [0-9]{3}-[0-9]{2}"}""")
                .then().statusCode(200).extract().path("choices[0].text");
        assertTrue(digits.matches(" [0-9]{3}-[0-9]{2}"), digits);
        OpenAiApiTest.post("/v1/completions", """
                {"model":"stories","prompt":"x","guided_regex":"(a)\\\\1"}""").then().statusCode(400)
                .body("error.param", equalTo("guided_regex")).body("error.message", containsString("backreference"));
    }

    /** The tool-template pipelines' engine serves no embeddings: a 400 naming model, not a 404 or a 500. */
    @Test
    void pipelinesWithoutEmbeddingsSaySo() {
        OpenAiApiTest.post("/v1/embeddings", "{\"model\":\"tools-qwen\",\"input\":\"x\"}").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("model"));
    }
}
