package dev.specd.plan;

/**
 * Values a request gets when it does not say otherwise.
 *
 * @param maxTokens   completion length limit when the request gives none
 * @param temperature OpenAI's default is 1.0
 * @param topP        1.0 = off
 */
public record RequestDefaults(int maxTokens, double temperature, double topP) {
    public static final RequestDefaults OPENAI = new RequestDefaults(256, 1.0, 1.0);
}
