package dev.specd.engine;

import java.util.List;

/**
 * One KV cache holding several {@link Sequence}s, decoded together in batches.
 * Not thread-safe: one engine thread owns a context and every sequence in it.
 */
public interface ModelContext extends AutoCloseable {

    int contextLength();

    int maxSequences();

    /** Sequences currently open. */
    int openSequences();

    /** KV cells in use across all sequences. */
    int usedCells();

    /** Takes a free sequence slot; fails when all {@link #maxSequences()} are open. */
    Sequence openSequence();

    /**
     * Decodes the given steps of several sequences in one native batch.
     *
     * @return for each step, in order, the logits rows it asked for
     */
    List<float[][]> decode(List<DecodeStep> steps);

    /**
     * As {@link #decode}, but the rows may be arrays that this context reuses: they are valid only
     * until its next decode. For a caller that consumes every row before decoding again (the
     * engine loop, a drafter), this saves allocating and zeroing a vocabulary-sized array per row
     * (600 kB at 152k tokens). The default returns {@link #decode}'s fresh arrays.
     */
    default List<float[][]> decodeTransient(List<DecodeStep> steps) {
        return decode(steps);
    }

    /**
     * Nanoseconds the last {@link #decode} spent computing, without any wait for the engine to be
     * free (a backend may serialise decodes across contexts): what a cost model must learn from.
     * A backend that cannot tell returns -1, and callers fall back to wall time.
     */
    default long lastDecodeNanos() {
        return -1;
    }

    /** {@link #lastDecodeNanos()}, or {@code wallNanos} (the caller's clock around it) when the backend cannot tell. */
    default long lastDecodeNanos(long wallNanos) {
        long compute = lastDecodeNanos();
        return compute >= 0 ? compute : wallNanos;
    }

    @Override
    void close();
}
