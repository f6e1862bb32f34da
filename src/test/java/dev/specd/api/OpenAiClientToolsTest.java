package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * OpenAI's Java SDK against the running server: a forced tool call whose arguments the SDK parses
 * into the tool's class, and structured output parsed into a class from the schema the SDK
 * derives from it — whole and streamed (the SDK's own accumulator rebuilds the streamed answer).
 */
@QuarkusTest
@TestProfile(ToolsProfile.class)
class OpenAiClientToolsTest {

    public enum City { PARIS, ROME, OSLO }

    public enum Unit { CELSIUS, FAHRENHEIT }

    @JsonClassDescription("Gets the weather in a city")
    public static class GetWeather {
        public City city;
        public Unit unit;
    }

    public enum Mood { HAPPY, SAD, SLEEPY }

    public static class Report {
        public Mood mood;
        public boolean outside;
        public Unit unit;
    }

    @TestHTTPResource("/v1")
    URL v1;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk-anything").maxRetries(0)
                .timeout(Duration.ofSeconds(120)).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    static ChatCompletionCreateParams toolCall(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("What is the weather in Paris?")
                .addTool(GetWeather.class).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .parallelToolCalls(false).maxCompletionTokens(160).seed(3).build();
    }

    static void assertCall(ChatCompletion c) {
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertEquals("GetWeather", call.function().name());
        GetWeather args = call.function().arguments(GetWeather.class);
        assertNotNull(args.city);
        assertNotNull(args.unit);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-qwen", "tools-llama"})
    void aToolCall(String model) {
        assertCall(client.chat().completions().create(toolCall(model)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-hermes", "tools-mistral"})
    void aStreamedToolCall(String model) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(toolCall(model))) {
            stream.stream().forEach(acc::accumulate);
        }
        assertCall(acc.chatCompletion());
    }

    static StructuredChatCompletionCreateParams<Report> structured(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("How was the day at the park?")
                .responseFormat(Report.class).maxCompletionTokens(96).seed(5).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-qwen", "stories"})
    void structuredOutput(String model) {
        StructuredChatCompletion<Report> c = client.chat().completions().create(structured(model));
        Report r = c.choices().getFirst().message().content().orElseThrow();
        assertNotNull(r.mood);
        assertNotNull(r.unit);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools-mistral"})
    void streamedStructuredOutput(String model) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(structured(model).rawParams())) {
            stream.stream().forEach(acc::accumulate);
        }
        Report r = acc.chatCompletion(Report.class).choices().getFirst().message().content().orElseThrow();
        assertNotNull(r.mood);
    }
}
