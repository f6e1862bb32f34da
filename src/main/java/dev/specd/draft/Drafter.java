package dev.specd.draft;

import dev.specd.constrain.ConstraintState;

/**
 * Proposes the next tokens of one sequence (vLLM's "proposer", llama.cpp's common_speculative).
 * A drafter is made for one request and keeps whatever state it needs (a draft model's KV cache)
 * in step with the tokens it is shown: the caller passes the whole context each time, and the
 * drafter rolls its own state back to the longest common prefix, so rejected drafts never leak.
 */
public interface Drafter extends AutoCloseable {

    /**
     * @param context      every token of the sequence so far: prompt, emitted tokens, and any
     *                     tokens drafted earlier that are not yet verified
     * @param promptLength where generated tokens start in {@code context} (penalties count those)
     * @param max          most tokens to propose (≥ 1)
     * @param stop         asked after each drafted token; true ends the draft after that token
     */
    Draft propose(int[] context, int promptLength, int max, StopRule stop);

    /**
     * As {@link #propose(int[], int, int, StopRule)}, keeping to a constraint: by default the
     * proposal is cut before its first token the constraint refuses (such a token could only be
     * rejected); a drafter that samples (a draft model) masks its own distributions instead.
     *
     * @param constraint the constraint's state after {@code context}, or null for none
     */
    default Draft propose(int[] context, int promptLength, int max, StopRule stop, ConstraintState constraint) {
        Draft d = propose(context, promptLength, max, stop);
        if (constraint == null) return d;
        int n = 0;
        for (ConstraintState s = constraint; n < d.size() && s.allows(d.tokens()[n]); n++) s = s.advance(d.tokens()[n]);
        return d.prefix(n);
    }

    /** Frees the drafter's resources (e.g. its sequence in the draft model's cache). */
    @Override
    default void close() {
    }
}
