package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The request fields that constrain the output's form: OpenAI's {@code response_format} and vLLM's
 * guided-decoding extensions ({@code guided_json}, {@code guided_regex}, {@code guided_choice}).
 */
public interface GuidedFields {

    JsonNode responseFormat();

    JsonNode guidedJson();

    String guidedRegex();

    List<String> guidedChoice();
}
