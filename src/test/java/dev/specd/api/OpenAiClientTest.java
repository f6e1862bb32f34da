package dev.specd.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server through OpenAI's own Java SDK ({@code com.openai:openai-java}), the way its users call
 * it: base URL {@code http://host:port/v1}, any API key. What the SDK parses (choices, finish
 * reasons, usage, streamed deltas, model lists, error bodies) must come out right.
 */
@QuarkusTest
class OpenAiClientTest {

    @TestHTTPResource("/v1")
    URL v1;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = client(true);
    }

    /**
     * No retries: a 429 or 5xx must show, not be retried away; the timeout bounds a hung server.
     * With validation the SDK checks every field it knows in every response, not only those read.
     */
    OpenAIClient client(boolean validate) {
        return OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk-anything")
                .maxRetries(0).timeout(Duration.ofSeconds(60)).responseValidation(validate).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    static ChatCompletionCreateParams greedyChat(String model, String user, long maxTokens) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(user)
                .maxCompletionTokens(maxTokens).temperature(0.0).build();
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(greedyChat("stories", "Once upon a time", 16));
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
        assertEquals("stories", c.model());
        assertEquals(1, c.choices().size());
        ChatCompletion.Choice choice = c.choices().getFirst();
        String content = choice.message().content().orElseThrow();
        assertFalse(content.isBlank(), "content: '" + content + "'");
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
        CompletionUsage usage = c.usage().orElseThrow();
        assertEquals(16, usage.completionTokens());
        assertTrue(usage.promptTokens() > 0, "prompt tokens: " + usage.promptTokens());
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
        // Greedy is repeatable through the SDK too.
        assertEquals(content, client.chat().completions().create(greedyChat("stories", "Once upon a time", 16))
                .choices().getFirst().message().content().orElseThrow());
    }

    @Test
    void chatStopsOnAStopStringWithFinishReasonStop() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories").addSystemMessage("You tell stories.").addUserMessage("Lily went to the park")
                .maxCompletionTokens(200).temperature(0.0).stop(".").build());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertFalse(choice.message().content().orElseThrow().contains("."));
        assertTrue(c.usage().orElseThrow().completionTokens() < 200);
    }

    @Test
    void legacyCompletion() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("stories")
                .prompt("Once upon a time").maxTokens(24).temperature(0.0).build();
        Completion c = client.completions().create(params);
        assertTrue(c.id().startsWith("cmpl-"), c.id());
        assertEquals("stories", c.model());
        CompletionChoice choice = c.choices().getFirst();
        assertTrue(choice.text().length() > 20, choice.text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
        CompletionUsage usage = c.usage().orElseThrow();
        assertEquals(5, usage.promptTokens());
        assertEquals(24, usage.completionTokens());
        assertEquals(29, usage.totalTokens());
        // lossless speculation gives the target-only greedy text
        assertEquals(choice.text(), client.completions().create(params.toBuilder().model("stories-target").build())
                .choices().getFirst().text());
    }

    @Test
    void streamedChatDeltasConcatenateToTheNonStreamedAnswer() {
        for (String model : List.of("stories", "stories-lookup")) {
            ChatCompletionCreateParams params = greedyChat(model, "The little dog", 40);
            String whole = client.chat().completions().create(params).choices().getFirst().message().content()
                    .orElseThrow();
            List<ChatCompletionChunk> chunks;
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                chunks = stream.stream().toList();
            }
            assertTrue(chunks.size() > 2, "chunks: " + chunks.size());
            String streamed = chunks.stream().flatMap(c -> c.choices().stream())
                    .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
            assertEquals(whole, streamed, model);
            assertFalse(streamed.isEmpty());
            ChatCompletionChunk.Choice last = chunks.getLast().choices().getFirst();
            assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH, last.finishReason().orElseThrow());
            assertTrue(chunks.stream().allMatch(c -> c.id().equals(chunks.getFirst().id())), "one id per stream");
            assertEquals(model, chunks.getFirst().model());
        }
    }

    @Test
    void streamedLegacyCompletionConcatenatesToTheNonStreamedText() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("stories")
                .prompt("Once upon a time").maxTokens(30).temperature(0.0).build();
        String whole = client.completions().create(params).choices().getFirst().text();
        // The SDK parses legacy stream chunks as whole Completions, whose finish_reason it holds
        // required; OpenAI itself sends null there until the last chunk, as we do: don't validate.
        OpenAIClient lenient = client(false);
        try (StreamResponse<Completion> stream = lenient.completions().createStreaming(params)) {
            List<Completion> chunks = stream.stream().toList();
            assertEquals(whole, chunks.stream().flatMap(c -> c.choices().stream()).map(CompletionChoice::text)
                    .collect(Collectors.joining()));
            assertEquals(CompletionChoice.FinishReason.LENGTH, chunks.getLast().choices().getFirst().finishReason());
        } finally {
            lenient.close();
        }
    }

    @Test
    void modelsListsTheEmbeddedPipelines() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertEquals(SpeculationReports.PIPELINES, ids);
        Model m = client.models().retrieve("stories-cascade");
        assertEquals("stories-cascade", m.id());
        assertEquals("specd", m.ownedBy());
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-17"));
        assertEquals(404, e.statusCode());
        assertEquals("model_not_found", e.code().orElseThrow());
    }

    /** Our error's message, from the body the SDK kept (the error object, or the whole body around it). */
    static String errorMessage(com.openai.errors.OpenAIServiceException e) {
        java.util.Map<?, ?> body = e.body().convert(java.util.Map.class);
        Object error = body.containsKey("error") ? body.get("error") : body;
        Object message = ((java.util.Map<?, ?>) error).get("message");
        assertTrue(message instanceof String s && !s.isBlank(), "an error message in " + body);
        return (String) message;
    }

    @Test
    void badRequestSurfacesAsTheSdksExceptionWithOurMessage() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("stories").addUserMessage("hi").temperature(5.0).build()));
        assertEquals(400, e.statusCode());
        assertEquals("temperature", e.param().orElseThrow());
        assertEquals("invalid_request_error", e.type().orElseThrow());
        String ours = errorMessage(e);
        assertTrue(ours.contains("temperature") && ours.contains("between 0 and 2"), ours);
        assertTrue(e.getMessage().contains(ours), "the SDK's message carries ours: " + e.getMessage());

        BadRequestException tooLong = assertThrows(BadRequestException.class, () -> client.completions().create(
                CompletionCreateParams.builder().model("stories").prompt("hi").maxTokens(100_000).build()));
        assertEquals("max_tokens", tooLong.param().orElseThrow());
        assertTrue(tooLong.getMessage().contains("maximum context length"), tooLong.getMessage());
    }
}
