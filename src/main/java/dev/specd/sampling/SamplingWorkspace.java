package dev.specd.sampling;

/**
 * Scratch buffers for processing logits rows, reused from one token to the next so that a
 * generation allocates nothing vocabulary-sized per token (at 152k tokens a fresh candidate array
 * per token is 600 kB to zero and collect). Buffers start small and grow to what the rows need.
 *
 * <p>Owned by one sequence's sampler ({@link Sampler} holds one) and used on one thread: not
 * thread-safe. Nothing a caller gets back (a {@link Distribution}) refers to these buffers.
 */
public final class SamplingWorkspace {

    final RowScan scan = new RowScan();
    /**
     * Logits below the best that every scan reaches at least: set by {@link #shareScansWithMaxProbability}
     * so that {@link Logprobs#maxProbability} can reuse the scan of the row just processed.
     */
    private double minLogitDepth;
    /** A working copy of the scan's candidates, which the filters compact. */
    private int[] candidates = new int[RowScan.INITIAL_CAPACITY];
    /** Candidate weights, parallel to the working copy. */
    double[] weights = new double[RowScan.INITIAL_CAPACITY];
    private double[] binMass = new double[0];
    /** Each candidate's logit bin, parallel to the working copy. */
    private int[] bins = new int[RowScan.INITIAL_CAPACITY];
    /** Rank keys of the candidates that the nucleus needs ordered. */
    private long[] keys = new long[RowScan.INITIAL_CAPACITY];
    /** Rows the candidates could not decide, which took the exact path (a diagnostic for tests and benchmarks). */
    long exactFallbacks;
    /** Rows that needed the second, deeper scan (a diagnostic). */
    long deepScans;
    /** Logits after bias and penalties, when a request has them. */
    float[] adjusted = new float[0];

    /**
     * Makes every scan of a row reach deep enough for {@link Logprobs#maxProbability} to reuse it,
     * for a drafter that asks both for q and for the draft model's confidence on each row: one
     * pass over the vocabulary instead of two. Greedy rows are then scanned instead of only
     * searched for their best token (one pass either way).
     */
    public void shareScansWithMaxProbability() {
        minLogitDepth = RowScan.DEPTH;
    }

    boolean sharesScans() {
        return minLogitDepth > 0;
    }

    /** The scan depth, in units of the temperature, to use at {@code temperature} for at least {@code depth}. */
    double depth(double depth, double temperature) {
        return Math.max(depth, minLogitDepth / temperature);
    }

    /** How many rows so far needed the exact path because the candidates could not decide top-p or min-p. */
    public long exactFallbacks() {
        return exactFallbacks;
    }

    /** How many rows so far needed a second, deeper scan to decide top-p or min-p. */
    public long deepScans() {
        return deepScans;
    }

    /** A copy of {@code logits} in the reusable adjustment buffer. */
    float[] copyForAdjustment(float[] logits) {
        if (adjusted.length != logits.length) adjusted = new float[logits.length];
        System.arraycopy(logits, 0, adjusted, 0, logits.length);
        return adjusted;
    }

    /** Zeroed bin masses for the top-p boundary search. */
    double[] binMass(int bins) {
        if (binMass.length != bins) binMass = new double[bins];
        else java.util.Arrays.fill(binMass, 0);
        return binMass;
    }

    /** The first {@code n} of {@code ids}, in a reused buffer. */
    int[] candidates(int[] ids, int n) {
        if (candidates.length < n) candidates = new int[Math.max(n, 2 * candidates.length)];
        System.arraycopy(ids, 0, candidates, 0, n);
        return candidates;
    }

    int[] bins(int capacity) {
        if (bins.length < capacity) bins = new int[Math.max(capacity, 2 * bins.length)];
        return bins;
    }

    long[] keys(int capacity) {
        if (keys.length < capacity) keys = new long[Math.max(capacity, 2 * keys.length)];
        return keys;
    }

    double[] weights(int capacity) {
        if (weights.length < capacity) weights = new double[Math.max(capacity, 2 * weights.length)];
        return weights;
    }
}
