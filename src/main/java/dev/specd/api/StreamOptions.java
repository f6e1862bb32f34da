package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The request object {@code "stream_options"}, allowed only with {@code "stream": true}.
 *
 * @param includeUsage send a last chunk with no choices and the usage of the whole request
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
}
