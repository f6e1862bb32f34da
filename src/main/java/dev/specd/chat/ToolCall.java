package dev.specd.chat;

/**
 * One function call parsed from a model's output.
 *
 * @param arguments the arguments as a JSON text (OpenAI sends them as a string)
 */
public record ToolCall(String id, String name, String arguments) {
}
