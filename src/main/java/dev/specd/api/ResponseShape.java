package dev.specd.api;

import dev.specd.api.Responses.ChatChoice;
import dev.specd.api.Responses.ChatChunkChoice;
import dev.specd.api.Responses.ChatCompletion;
import dev.specd.api.Responses.ChatCompletionChunk;
import dev.specd.api.Responses.Completion;
import dev.specd.api.Responses.CompletionChoice;
import dev.specd.api.Responses.CompletionChunk;
import dev.specd.api.Responses.Delta;
import dev.specd.api.Responses.Usage;

import java.util.List;
import java.util.UUID;

/** How one endpoint shapes its answers: chat messages and deltas, or plain completion text. */
sealed interface ResponseShape {

    String newId();

    /** The first chunk of a stream, or null if the endpoint sends none. */
    Object opening(String id, long created, String model);

    Object chunk(String id, long created, String model, String text);

    /** The last chunk before {@code [DONE]}: the finish reason, and what speculation did. */
    Object closing(String id, long created, String model, String finishReason, Responses.Speculation speculation);

    Object complete(String id, long created, String model, String text, String finishReason, Usage usage,
                    Responses.Speculation speculation);

    static String randomId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    record Chat() implements ResponseShape {
        @Override
        public String newId() {
            return randomId("chatcmpl-");
        }

        @Override
        public Object opening(String id, long created, String model) {
            return chunk(id, created, model, new Delta("assistant", ""), null, null);
        }

        @Override
        public Object chunk(String id, long created, String model, String text) {
            return chunk(id, created, model, new Delta(null, text), null, null);
        }

        @Override
        public Object closing(String id, long created, String model, String finishReason,
                              Responses.Speculation speculation) {
            return chunk(id, created, model, new Delta(null, null), finishReason, speculation);
        }

        private static ChatCompletionChunk chunk(String id, long created, String model, Delta delta, String finish,
                                                 Responses.Speculation speculation) {
            return new ChatCompletionChunk(id, "chat.completion.chunk", created, model,
                    List.of(new ChatChunkChoice(0, delta, null, finish)), null, speculation);
        }

        @Override
        public Object complete(String id, long created, String model, String text, String finishReason, Usage usage,
                               Responses.Speculation speculation) {
            return new ChatCompletion(id, "chat.completion", created, model,
                    List.of(new ChatChoice(0, new Responses.ChatMessage("assistant", text), null, finishReason)), usage,
                    speculation);
        }
    }

    record Text() implements ResponseShape {
        @Override
        public String newId() {
            return randomId("cmpl-");
        }

        @Override
        public Object opening(String id, long created, String model) {
            return null;
        }

        @Override
        public Object chunk(String id, long created, String model, String text) {
            return chunk(id, created, model, text, null, null);
        }

        @Override
        public Object closing(String id, long created, String model, String finishReason,
                              Responses.Speculation speculation) {
            return chunk(id, created, model, "", finishReason, speculation);
        }

        private static CompletionChunk chunk(String id, long created, String model, String text, String finish,
                                             Responses.Speculation speculation) {
            return new CompletionChunk(id, "text_completion", created, model,
                    List.of(new CompletionChoice(0, text, null, finish)), null, speculation);
        }

        @Override
        public Object complete(String id, long created, String model, String text, String finishReason, Usage usage,
                               Responses.Speculation speculation) {
            return new Completion(id, "text_completion", created, model,
                    List.of(new CompletionChoice(0, text, null, finishReason)), usage, speculation);
        }
    }
}
