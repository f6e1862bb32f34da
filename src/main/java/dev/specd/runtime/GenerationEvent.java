package dev.specd.runtime;

/** What a running generation reports, in order: text deltas, then exactly one {@link Done}. */
public sealed interface GenerationEvent {

    /**
     * New text (possibly empty while a multi-byte character or a possible stop string is held back).
     *
     * @param tokens the tokens this delta covers
     */
    record Text(String text, int[] tokens) implements GenerationEvent {
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
