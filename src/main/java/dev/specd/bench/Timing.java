package dev.specd.bench;

/**
 * One timed generation.
 *
 * @param tokens          tokens generated
 * @param decodeNanos     from the first token to the last: pure generation, prefill excluded
 * @param firstTokenNanos from the request to the first token (prefill + one step)
 */
public record Timing(int tokens, long decodeNanos, long firstTokenNanos) {

    /** Generation speed over the tokens after the first (the first one's time is prefill). */
    public double tokensPerSecond() {
        return (tokens - 1) / (decodeNanos / 1e9);
    }
}
