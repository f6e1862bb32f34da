package dev.specd.draft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;

/**
 * Prompt lookup / n-gram drafting: finds the most recent earlier occurrence of the context's last
 * n tokens (n from {@code ngramMax} down to {@code ngramMin}) and proposes the tokens that followed
 * it. Free to run (no model), and very effective when the output copies the input — edits,
 * rewrites, code refactoring (Shallow Aggressive Decoding, arXiv 2106.04970).
 */
public final class PromptLookupDrafter implements FreeDrafter {

    private final int ngramMin;
    private final int ngramMax;

    public PromptLookupDrafter(int ngramMin, int ngramMax) {
        if (ngramMin < 1 || ngramMax < ngramMin) {
            throw new IllegalArgumentException("need 1 <= ngramMin <= ngramMax, got " + ngramMin + ".." + ngramMax);
        }
        this.ngramMin = ngramMin;
        this.ngramMax = ngramMax;
    }

    @Override
    public String name() {
        return "lookup";
    }

    @Override
    public Draft propose(int[] context, int length, int promptLength, int max, StopRule stop) {
        long t0 = System.nanoTime();
        int len = length;
        for (int n = Math.min(ngramMax, len - 1); n >= ngramMin; n--) {
            int match = lastEarlierOccurrence(context, len, n);
            if (match < 0) continue;
            int from = match + n;
            int count = Math.min(max, len - from);
            if (count <= 0) continue;
            int[] tokens = Arrays.copyOfRange(context, from, from + count);
            double[] confidence = new double[count];
            Arrays.fill(confidence, 1.0);
            return new Draft(tokens, new ArrayList<>(Collections.nCopies(count, null)), confidence, System.nanoTime() - t0);
        }
        return Draft.EMPTY;
    }

    /** Start of the latest occurrence of the last n tokens that ends before the context does, or -1. */
    static int lastEarlierOccurrence(int[] context, int len, int n) {
        int suffix = len - n;
        for (int start = suffix - 1; start >= 0; start--) {
            int i = 0;
            while (i < n && context[start + i] == context[suffix + i]) i++;
            if (i == n) return start;
        }
        return -1;
    }
}
