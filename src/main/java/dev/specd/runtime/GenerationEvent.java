package dev.specd.runtime;

import dev.specd.sampling.Logprobs;

import java.util.List;

/** What a running generation reports, in order: text deltas, then exactly one {@link Done}. */
public sealed interface GenerationEvent {

    /**
     * New text (possibly empty while a multi-byte character or a possible stop string is held back).
     *
     * @param tokens   the tokens this delta covers
     * @param logprobs empty unless the request asked for log-probabilities; then one per token of {@code tokens}:
     *                 the target model's, or the draft model's for a token a cascade emitted unverified
     */
    record Text(String text, int[] tokens, List<Logprobs.Position> logprobs) implements GenerationEvent {
        public Text {
            logprobs = List.copyOf(logprobs);
            if (!logprobs.isEmpty() && logprobs.size() != tokens.length) {
                throw new IllegalArgumentException("one logprobs position per token, or none");
            }
        }

        public Text(String text, int[] tokens) {
            this(text, tokens, List.of());
        }
    }

    /**
     * The end of the generation.
     *
     * @param error set when {@code reason} is {@link FinishReason#ERROR}
     */
    record Done(FinishReason reason, int promptTokens, int completionTokens, String error,
                SpeculationSummary speculation) implements GenerationEvent {
    }
}
