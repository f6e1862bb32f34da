package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/completions}. Polymorphic fields ({@code prompt}, {@code stop}) stay JSON trees
 * and are checked by {@link RequestMapper}; unknown fields are ignored, as OpenAI does.
 * {@code top_k}, {@code min_p}, {@code repetition_penalty} and {@code ignore_eos} are the
 * llama.cpp / vLLM extensions users of those servers expect.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionRequest(
        String model,
        JsonNode prompt,
        @JsonProperty("max_tokens") Integer maxTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("logit_bias") Map<String, Double> logitBias,
        JsonNode stop,
        Long seed,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        Integer n,
        String user,
        Integer logprobs,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        SpeculationRequest speculation,
        Boolean echo,
        String suffix,
        @JsonProperty("best_of") Integer bestOf,
        @JsonProperty("response_format") JsonNode responseFormat,
        @JsonProperty("guided_json") JsonNode guidedJson,
        @JsonProperty("guided_regex") String guidedRegex,
        @JsonProperty("guided_choice") List<String> guidedChoice) implements SamplingFields, GuidedFields {
}
