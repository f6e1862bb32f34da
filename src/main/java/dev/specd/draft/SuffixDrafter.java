package dev.specd.draft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;

/**
 * Suffix decoding (SuffixDecoding, Oliaro et al., NeurIPS 2025; in Snowflake's ArcticInference):
 * drafts the most frequent continuation of the context's longest matching suffix, from a suffix
 * tree over this request's prompt and output and — when the preset shares one — the tree over
 * earlier requests' prompts and outputs ({@link SuffixCache}). Both trees propose; the path with the
 * larger expected number of accepted tokens (the sum of its cumulative frequencies) drafts. Its
 * length follows the evidence rather than a fixed k: at most {@code factor} × the matched length,
 * cut where the path's estimated probability falls below {@code minProb}.
 * <p>
 * Agent loops and templated traffic repeat earlier requests almost verbatim, which is where the
 * shared tree drafts long runs a per-request lookup never sees. Free to run (host time only); its
 * drafts are verified as one-hot, like prompt lookup's.
 */
public final class SuffixDrafter implements FreeDrafter {

    private final double factor;
    private final double minProb;
    private final SuffixCache shared;
    private final SuffixTree local;
    private final SuffixTree.Appender appender;
    private int seen;

    /** @param shared the preset's tree over earlier requests, or null to match this request only */
    public SuffixDrafter(int depth, double factor, double minProb, SuffixCache shared) {
        if (!(factor > 0) || !(minProb >= 0 && minProb <= 1)) {
            throw new IllegalArgumentException("need factor > 0 and min prob in [0, 1], got " + factor + ", " + minProb);
        }
        this.factor = factor;
        this.minProb = minProb;
        this.shared = shared;
        this.local = new SuffixTree(depth);
        this.appender = local.new Appender();
    }

    @Override
    public String name() {
        return "suffix";
    }

    @Override
    public Draft propose(int[] context, int length, int promptLength, int max, StopRule stop) {
        long t0 = System.nanoTime();
        // Committed tokens never change, so the request's tree only ever grows at its end.
        for (; seen < length; seen++) appender.append(context[seen]);
        SuffixTree.Path best = local.draft(context, length, max, factor, minProb);
        if (shared != null) {
            SuffixTree.Path other = shared.draft(context, length, max, factor, minProb);
            if (other.score() > best.score()) best = other;
        }
        int n = best.tokens().length;
        for (int i = 0; i < n; i++) {
            // The stop rule sees each token's conditional frequency as its confidence.
            if (stop.stopAfter(best.probs()[i])) n = i + 1;
        }
        if (n == 0) return Draft.EMPTY;
        return new Draft(Arrays.copyOf(best.tokens(), n), new ArrayList<>(Collections.nCopies(n, null)),
                Arrays.copyOf(best.probs(), n), System.nanoTime() - t0);
    }

    @Override
    public void finished(int[] context, int length, int promptLength) {
        if (shared != null) shared.add(context, length);
    }
}
