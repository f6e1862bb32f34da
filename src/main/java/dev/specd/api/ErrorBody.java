package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error envelope; {@code param} and {@code code} are always present, null when unknown. */
public record ErrorBody(Error error) {
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {
    }
}
