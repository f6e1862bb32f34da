package dev.specd.draft;

/**
 * A drafter without a model: its proposal costs host time only and is ready at once (prompt
 * lookup, n-gram or suffix matching). Its tokens carry no draft distribution, so verification
 * treats them as one-hot.
 */
public non-sealed interface FreeDrafter extends Drafter {

    /**
     * @param context      every token of the sequence so far (prompt and emitted tokens); only the
     *                     first {@code length} count
     * @param length       how many tokens of {@code context} are the sequence
     * @param promptLength where generated tokens start in {@code context}
     * @param max          most tokens to propose (≥ 1)
     * @param stop         asked after each drafted token; true ends the draft after that token
     */
    Draft propose(int[] context, int length, int promptLength, int max, StopRule stop);

    /** What the drafter is called in reports and metrics (the response's {@code drafter} counts). */
    default String name() {
        return "free";
    }

    /**
     * The generation ended normally with these tokens (prompt and output): a drafter that learns
     * across requests takes them in. Called on the engine thread, before {@link #close()}.
     */
    default void finished(int[] context, int length, int promptLength) {
    }
}
