package dev.specd.engine;

import java.util.Objects;

/** One chat turn given to a chat template. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
