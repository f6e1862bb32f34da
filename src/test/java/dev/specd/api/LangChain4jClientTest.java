package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.ReturnBehavior;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.output.JsonSchemas;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * langchain4j (langchain4j-open-ai) against the running server: an {@code AiServices} assistant
 * calls a Java tool (forced by tool_choice required; the tool returns its result directly) and an
 * {@code AiServices} extractor returns a POJO through a JSON schema; streamed, the same through
 * the streaming model: a forced tool call and a structured answer.
 */
@QuarkusTest
@TestProfile(ToolsProfile.class)
class LangChain4jClientTest {

    public enum City { PARIS, ROME, OSLO }

    public enum Mood { HAPPY, SAD, SLEEPY }

    public record Report(Mood mood, boolean outside) {
    }

    static final class WeatherTools {
        final List<City> asked = new CopyOnWriteArrayList<>();

        @Tool(value = "Gets the weather in a city", returnBehavior = ReturnBehavior.IMMEDIATE)
        String getWeather(@P("the city") City city) {
            asked.add(city);
            return "sunny in " + city;
        }
    }

    interface Assistant {
        Result<String> ask(String question);
    }

    interface Extractor {
        Report extract(String text);
    }

    @TestHTTPResource("/v1")
    URL v1;

    OpenAiChatModel model(String name, ToolChoice choice) {
        return OpenAiChatModel.builder().baseUrl(v1.toString()).apiKey("sk-anything").modelName(name).maxTokens(160)
                .seed(11).timeout(Duration.ofSeconds(120)).maxRetries(0).strictJsonSchema(true)
                .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA).parallelToolCalls(false)
                .defaultRequestParameters(ChatRequestParameters.builder().toolChoice(choice).build()).build();
    }

    @Test
    void anAiServicesToolCall() {
        WeatherTools tools = new WeatherTools();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model("tools-qwen", ToolChoice.REQUIRED))
                .tools(tools).build();
        Result<String> r = assistant.ask("What is the weather in Paris?");
        assertFalse(r.toolExecutions().isEmpty(), "no tool was called");
        assertEquals(1, tools.asked.size());
        assertEquals("getWeather", r.toolExecutions().getFirst().request().name());
    }

    @Test
    void anAiServicesStructuredOutput() {
        Extractor extractor = AiServices.builder(Extractor.class).chatModel(model("tools-hermes", ToolChoice.AUTO)).build();
        Report r = extractor.extract("The children played in the park all day.");
        assertNotNull(r.mood());
    }

    ChatResponse stream(String modelName, ChatRequest request) throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(v1.toString()).apiKey("sk-anything")
                .modelName(modelName).maxTokens(160).seed(13).timeout(Duration.ofSeconds(120)).strictJsonSchema(true)
                .parallelToolCalls(false).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done.get(120, TimeUnit.SECONDS);
    }

    @Test
    void aStreamedToolCall() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Weather in Rome?"))
                .toolSpecifications(ToolSpecifications.toolSpecificationsFrom(WeatherTools.class))
                .toolChoice(ToolChoice.REQUIRED).build();
        ChatResponse r = stream("tools-llama", request);
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().getFirst();
        assertEquals("getWeather", call.name());
        String city = new ObjectMapper().readTree(call.arguments()).elements().next().asText();
        assertNotNull(City.valueOf(city), call.arguments());
    }

    @Test
    void aStreamedStructuredOutput() throws Exception {
        JsonSchema schema = JsonSchemas.jsonSchemaFrom(Report.class).orElseThrow();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("How was the day?"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build()).build();
        ChatResponse r = stream("tools-mistral", request);
        Report report = new ObjectMapper().readValue(r.aiMessage().text(), Report.class);
        assertNotNull(report.mood());
    }
}
