package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** Response bodies of the OpenAI API, field for field. */
public final class Responses {

    private Responses() {
    }

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                        @JsonProperty("completion_tokens") int completionTokens,
                        @JsonProperty("total_tokens") int totalTokens) {
        public static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CompletionChoice(int index, String text, Object logprobs,
                                   @JsonProperty("finish_reason") String finishReason) {
    }

    /**
     * What speculation did for the request: specd's extension of the response. The energy fields
     * are absent when the server meters no energy; {@code joules_per_token} also when no token was generated.
     *
     * @param energyJoules the request's share of the energy of the engine turns it took part in
     * @param energySource where the joules were measured: {@code rapl}, {@code nvml} or {@code model}
     */
    public record Speculation(String mode, int rounds, int drafted, int accepted,
                              @JsonProperty("acceptance_rate") double acceptanceRate,
                              @JsonProperty("verified_tokens") int verifiedTokens,
                              @JsonProperty("unverified_tokens") int unverifiedTokens,
                              @JsonProperty("verified_fraction") double verifiedFraction,
                              @JsonInclude(JsonInclude.Include.NON_NULL)
                              @JsonProperty("energy_joules") Double energyJoules,
                              @JsonInclude(JsonInclude.Include.NON_NULL)
                              @JsonProperty("joules_per_token") Double joulesPerToken,
                              @JsonInclude(JsonInclude.Include.NON_NULL)
                              @JsonProperty("energy_source") String energySource,
                              @JsonInclude(JsonInclude.Include.NON_NULL)
                              @JsonProperty("deferred_positions") Integer deferredPositions,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY)
                              @JsonProperty("drafter_rounds") java.util.Map<String, Integer> drafterRounds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
                             Usage usage, Speculation speculation) {
    }

    /** An assistant message: its text (null when it only calls tools) and its tool calls (absent when none). */
    public record ChatMessage(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY)
                              @JsonProperty("tool_calls") List<ToolCall> toolCalls) {
        public ChatMessage(String role, String content) {
            this(role, content, List.of());
        }
    }

    /** @param arguments the call's arguments as a JSON text, as OpenAI sends them */
    public record FunctionCall(String name, String arguments) {
    }

    public record ToolCall(String id, String type, FunctionCall function) {
    }

    /** A streamed tool call: OpenAI's delta names its index among the message's calls. */
    public record ToolCallDelta(int index, String id, String type, FunctionCall function) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ChatChoice(int index, ChatMessage message, Object logprobs,
                             @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
                                 Usage usage, Speculation speculation) {
    }

    /** A streamed delta: the first carries the role, later ones content; the last is empty. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, @JsonProperty("tool_calls") List<ToolCallDelta> toolCalls) {
        public Delta(String role, String content) {
            this(role, content, null);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ChatChunkChoice(int index, Delta delta, Object logprobs,
                                  @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatCompletionChunk(String id, String object, long created, String model,
                                      List<ChatChunkChoice> choices, Usage usage, Speculation speculation) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CompletionChunk(String id, String object, long created, String model,
                                  List<CompletionChoice> choices, Usage usage, Speculation speculation) {
    }

    /** Chat logprobs: one entry per generated token. */
    public record ChatLogprobs(List<ChatTokenLogprob> content) {
    }

    /** @param bytes the token's raw bytes (0..255); a token may hold part of a UTF-8 character */
    public record ChatTokenLogprob(String token, double logprob, int[] bytes,
                                   @JsonProperty("top_logprobs") List<ChatTopLogprob> topLogprobs) {
    }

    public record ChatTopLogprob(String token, double logprob, int[] bytes) {
    }

    /**
     * Legacy completions logprobs: parallel arrays, one element per generated token.
     *
     * @param topLogprobs per token, the most likely tokens' texts and logprobs (the chosen token always among them)
     * @param textOffset  where each token's text starts in the choice's text, in code points
     */
    public record CompletionLogprobs(List<String> tokens,
                                     @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
                                     @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
                                     @JsonProperty("text_offset") List<Integer> textOffset) {
    }

    public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    }

    public record ModelList(String object, List<Model> data) {
    }
}
