package dev.specd.runtime.adaptive;

import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.Map;

/**
 * The start-up measurement that seeds an engine's {@link CostModel} before any request: target
 * decodes of the batch sizes that speculation produces (1 + k tokens per sequence, a few
 * sequences), and the batched steps of each draft model. It runs on the engine's thread before the
 * engine serves, one engine after another, so nothing else decodes meanwhile; each size is measured
 * several times and the median kept (a preempted decode only ever adds time, and one outlier must
 * not steer the adaptive policy, which deoptimised on a draft measured 7× too slow). Online
 * measurements refine it from then on.
 */
public final class Calibration {

    /** Batch sizes measured: one sequence with k up to 15, or a few sequences with small drafts. */
    static final int[] SIZES = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32};
    /** Draft steps measured: up to this many sequences drafting together. */
    static final int MAX_DRAFT_BATCH = 16;
    private static final int REPEATS = 5;
    private static final Logger LOG = Logger.getLogger(Calibration.class);

    private Calibration() {
    }

    /**
     * {@link #run} with its outcome in the log. A failure is not fatal: the adaptive policy drafts
     * a fixed k until online measurements arrive.
     */
    public static void runLogged(String engine, ModelContext target, Map<String, ModelContext> drafts, int token,
                                 CostModel costs) {
        try {
            long t0 = System.nanoTime();
            run(target, drafts, token, costs);
            StringBuilder d = new StringBuilder();
            for (String m : drafts.keySet()) {
                d.append(String.format(java.util.Locale.ROOT, "; draft %s %.3f / %.3f ms for 1 / 4 sequences", m,
                        costs.draftStepNanos(m, 1) / 1e6, costs.draftStepNanos(m, 4) / 1e6));
            }
            LOG.infof("engine %s: cost model calibrated in %d ms: verify %.2f / %.2f / %.2f / %.2f ms for "
                            + "1 / 2 / 4 / 8 tokens%s", engine, (System.nanoTime() - t0) / 1_000_000,
                    costs.verifyNanos(1) / 1e6, costs.verifyNanos(2) / 1e6, costs.verifyNanos(4) / 1e6,
                    costs.verifyNanos(8) / 1e6, d);
        } catch (RuntimeException e) {
            LOG.warnf(e, "engine %s: calibrating the cost model failed", engine);
        }
    }

    /**
     * @param target the target's context, with a free sequence slot
     * @param drafts the draft models' contexts by the key the cost model files them under
     * @param token  a token id every model of the engine knows (the values do not matter for time)
     */
    public static void run(ModelContext target, Map<String, ModelContext> drafts, int token, CostModel costs) {
        int budget = target.contextLength() / Math.max(1, target.maxSequences());
        try (Sequence seq = target.openSequence()) {
            // Warm-up: first touch of weights and buffers, and the JIT for the logits copy.
            for (int r = 0; r < 3; r++) decode(target, seq, 8, token);
            for (int size : SIZES) {
                if (size > budget) break;
                costs.calibrateVerify(size, median(target, seq, size, token));
            }
        }
        for (var e : drafts.entrySet()) {
            ModelContext draft = e.getValue();
            int draftBudget = draft.contextLength() / Math.max(1, draft.maxSequences());
            try (Sequence seq = draft.openSequence()) {
                for (int r = 0; r < 3; r++) decode(draft, seq, 1, token);
                // A step of S sequences drafting one token each costs about a decode of S tokens.
                for (int s = 1; s <= Math.min(MAX_DRAFT_BATCH, Math.min(draft.maxSequences(), draftBudget)); s++) {
                    costs.calibrateDraft(e.getKey(), s, median(draft, seq, s, token));
                }
            }
        }
    }

    private static double median(ModelContext context, Sequence seq, int size, int token) {
        long[] t = new long[REPEATS];
        for (int r = 0; r < REPEATS; r++) t[r] = decode(context, seq, size, token);
        Arrays.sort(t);
        return t[REPEATS / 2];
    }

    /**
     * Nanoseconds of one decode of {@code size} tokens from an empty sequence, all rows' logits read
     * out: the context's compute time.
     */
    private static long decode(ModelContext context, Sequence seq, int size, int token) {
        int[] batch = new int[size];
        Arrays.fill(batch, token);
        long t0 = System.nanoTime();
        seq.decode(batch, 0);
        long nanos = context.lastDecodeNanos(System.nanoTime() - t0);
        seq.truncate(0);
        return nanos;
    }
}
