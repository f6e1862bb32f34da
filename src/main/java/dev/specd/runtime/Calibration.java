package dev.specd.runtime;

import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;

import org.jboss.logging.Logger;

import java.util.List;

/**
 * The brief start-up measurement that seeds a pipeline's {@link CostModel} before any request:
 * target decodes of the batch sizes that speculation produces (1 + k tokens per sequence, a few
 * sequences), and single-token decodes of each draft model. Runs on the engine thread before it
 * serves, on a scratch sequence that it empties again; online measurements refine it from then on.
 */
public final class Calibration {

    /** Batch sizes measured: one sequence with k up to 15, or a few sequences with small drafts. */
    static final int[] SIZES = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32};
    /** Each size is decoded this often and the fastest kept: interference only ever adds time. */
    private static final int REPEATS = 3;
    private static final Logger LOG = Logger.getLogger(Calibration.class);

    private Calibration() {
    }

    /**
     * {@link #run} with its outcome in the log. A failure is not fatal: the adaptive policy drafts
     * a fixed k until online measurements arrive.
     */
    public static void runLogged(ModelContext target, List<ModelContext> drafts, int token, PipelineProfile profile) {
        try {
            long t0 = System.nanoTime();
            run(target, drafts, token, profile);
            LOG.infof("pipeline %s: cost model calibrated in %d ms: verify %.2f / %.2f / %.2f / %.2f ms for "
                            + "1 / 2 / 4 / 8 tokens, draft %.3f ms per token", profile.pipeline(),
                    (System.nanoTime() - t0) / 1_000_000, profile.verifyMillis(1), profile.verifyMillis(2),
                    profile.verifyMillis(4), profile.verifyMillis(8), profile.draftMillisPerToken());
        } catch (RuntimeException e) {
            LOG.warnf(e, "pipeline %s: calibrating the cost model failed", profile.pipeline());
        }
    }

    /**
     * @param target the target's context, with a free sequence slot
     * @param drafts the draft models' contexts (may be empty)
     * @param tokens a token id every model of the pipeline knows (the values do not matter for time)
     */
    public static void run(ModelContext target, List<ModelContext> drafts, int tokens, PipelineProfile profile) {
        try (Sequence seq = target.openSequence()) {
            // Warm-up: first touch of weights and buffers, and the JIT for the logits copy.
            for (int r = 0; r < 3; r++) decode(target, seq, 8, tokens);
            for (int size : SIZES) {
                if (size > target.contextLength() / Math.max(1, target.maxSequences())) break;
                long best = Long.MAX_VALUE;
                for (int r = 0; r < REPEATS; r++) best = Math.min(best, decode(target, seq, size, tokens));
                profile.observeVerify(size, best);
            }
        }
        for (ModelContext draft : drafts) {
            try (Sequence seq = draft.openSequence()) {
                long best = Long.MAX_VALUE;
                for (int r = 0; r < 1 + REPEATS; r++) best = Math.min(best, decode(draft, seq, 1, tokens));
                profile.observeDraft(1, best);
            }
        }
    }

    /**
     * Nanoseconds of one decode of {@code size} tokens from an empty sequence, all rows' logits read
     * out: the context's compute time, so that other pipelines calibrating at the same moment (whose
     * decodes the backend may serialise with ours) do not inflate it.
     */
    private static long decode(ModelContext context, Sequence seq, int size, int token) {
        int[] batch = new int[size];
        java.util.Arrays.fill(batch, token);
        long t0 = System.nanoTime();
        seq.decode(batch, 0);
        long nanos = context.lastDecodeNanos(System.nanoTime() - t0);
        seq.truncate(0);
        return nanos;
    }
}
