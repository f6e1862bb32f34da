package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /v1/embeddings}: {@code input} is a string, an array of strings, an array of token
 * ids or an array of token-id arrays; {@code encoding_format} float (default) or base64.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EmbeddingRequest(String model, JsonNode input, @JsonProperty("encoding_format") String encodingFormat,
                               Integer dimensions, String user) {
}
