package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.StructuredResponse;
import com.openai.models.responses.StructuredResponseCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stateless /v1/responses through OpenAI's SDK: text, structured output, function calls, streaming events. */
@QuarkusTest
@TestProfile(ToolsProfile.class)
class ResponsesApiTest {

    public static class Report {
        public OpenAiClientToolsTest.Mood mood;
        public boolean outside;
    }

    @TestHTTPResource("/v1")
    URL v1;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk").maxRetries(0)
                .timeout(Duration.ofSeconds(120)).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void textWithInstructionsAndUsage() {
        Response r = client.responses().create(ResponseCreateParams.builder().model("tools-qwen")
                .instructions("Tell a story.").input("Once upon a time").maxOutputTokens(8).build());
        assertEquals("incomplete", r.status().orElseThrow().asString());
        assertFalse(r.output().isEmpty());
        String text = r.output().getFirst().asMessage().content().getFirst().asOutputText().text();
        assertFalse(text.isEmpty());
        assertEquals(8, r.usage().orElseThrow().outputTokens());
    }

    @Test
    void structuredOutput() {
        StructuredResponseCreateParams<Report> p = ResponseCreateParams.builder().model("tools-hermes")
                .input("How was the day?").text(Report.class).maxOutputTokens(96).build();
        StructuredResponse<Report> r = client.responses().create(p);
        Report report = r.output().getFirst().asMessage().content().getFirst().asOutputText();
        assertNotNull(report.mood);
    }

    /**
     * Greedy, with room: the tiny test model spells a call in many short tokens, and sampled with 64
     * tokens it once ran out inside the call's indentation (a clean clone's CI run).
     */
    @Test
    void aForcedFunctionCallAndItsResult() throws Exception {
        String tools = """
                [{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"enum":["Paris","Rome"]}},
                  "required":["city"],"additionalProperties":false}}]""";
        JsonNode r = new ObjectMapper().readTree(OpenAiApiTest.post("/v1/responses", """
                {"model":"tools-llama","input":"Weather in Rome?","tools":%s,"tool_choice":"required","max_output_tokens":160,
                 "temperature":0}"""
                .formatted(tools)).then().statusCode(200).extract().asString());
        JsonNode call = r.at("/output/0");
        assertEquals("function_call", call.path("type").asText(), r.toString());
        assertEquals("get_weather", call.path("name").asText());
        assertTrue(call.path("arguments").asText().contains("\"city\""));
        String callId = call.path("call_id").asText();
        // The next turn carries the call and its output as input items; nothing was stored.
        OpenAiApiTest.post("/v1/responses", """
                {"model":"tools-qwen","tools":%s,"max_output_tokens":4,"input":[
                 {"role":"user","content":"Weather in Rome?"},
                 {"type":"function_call","call_id":"%s","name":"get_weather","arguments":"{\\"city\\": \\"Rome\\"}"},
                 {"type":"function_call_output","call_id":"%s","output":"sunny"}]}""".formatted(tools, callId, callId))
                .then().statusCode(200).body("object", equalTo("response")).body("store", equalTo(false));
        OpenAiApiTest.post("/v1/responses", "{\"model\":\"tools-qwen\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}")
                .then().statusCode(400).body("error.param", equalTo("previous_response_id"));
    }

    @Test
    void streamingEvents() {
        List<String> types = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(ResponseCreateParams.builder()
                .model("tools-mistral").input("Once upon a time").maxOutputTokens(12).build())) {
            s.stream().forEach(e -> {
                e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                types.add(e.isCreated() ? "created" : e.isOutputTextDelta() ? "delta" : e.isCompleted() ? "completed"
                        : e.isIncomplete() ? "incomplete" : "other");
            });
        }
        assertEquals("created", types.getFirst());
        assertTrue(types.contains("delta"), types.toString());
        assertEquals("incomplete", types.getLast());
        assertFalse(text.isEmpty());
    }
}
