package dev.specd.engine;

/**
 * How to open a {@link ModelContext}.
 *
 * @param contextLength KV cells shared by all sequences of the context
 * @param maxSequences  sequences that may live in the context at once
 * @param batchSize     most tokens one decode call may carry
 * @param threads       CPU threads for decoding; 0 means one per available core
 * @param f32KvCache    keep the KV cache in F32 (exact comparisons) instead of F16
 */
public record ContextOptions(int contextLength, int maxSequences, int batchSize, int threads, boolean f32KvCache) {

    public ContextOptions {
        if (contextLength <= 0) throw new IllegalArgumentException("contextLength must be > 0: " + contextLength);
        if (maxSequences <= 0) throw new IllegalArgumentException("maxSequences must be > 0: " + maxSequences);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0: " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0: " + threads);
    }

    public static ContextOptions of(int contextLength, int maxSequences) {
        return new ContextOptions(contextLength, maxSequences, Math.max(512, contextLength / maxSequences), 0, false);
    }

    public ContextOptions withF32KvCache(boolean f32) {
        return new ContextOptions(contextLength, maxSequences, batchSize, threads, f32);
    }

    public ContextOptions withThreads(int n) {
        return new ContextOptions(contextLength, maxSequences, batchSize, n, f32KvCache);
    }

    /** Threads actually used: the configured number or one per available core. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
