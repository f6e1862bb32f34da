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

    @Override
    void close();
}
