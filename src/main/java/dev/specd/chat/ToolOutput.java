package dev.specd.chat;

/** What a tool-call parser releases from a model's output, in order: text for the user, or a whole call. */
public sealed interface ToolOutput {

    record Content(String text) implements ToolOutput {
    }

    record Call(ToolCall call) implements ToolOutput {
    }
}
