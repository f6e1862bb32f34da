package dev.specd.engine;

/**
 * One token stream in a {@link ModelContext}'s KV cache. Closing it frees its KV cells and slot.
 */
public interface Sequence extends AutoCloseable {

    /** Slot id inside the context (llama.cpp's seq_id). */
    int id();

    /** Tokens held in the KV cache, i.e. the position of the next token. */
    int length();

    /**
     * Appends tokens and returns the logits rows from {@code logitsFrom} on (see {@link DecodeStep}).
     * A decode of one sequence alone; batch several with {@link ModelContext#decode}.
     */
    float[][] decode(int[] tokens, int logitsFrom);

    /**
     * As {@link #decode(int[], int)}, with rows valid only until the context's next decode
     * ({@link ModelContext#decodeTransient}). The default returns fresh arrays.
     */
    default float[][] decodeTransient(int[] tokens, int logitsFrom) {
        return decode(tokens, logitsFrom);
    }

    /** Forgets every token from position {@code newLength} on (exact KV rollback). */
    void truncate(int newLength);

    /** Replaces {@code target}'s cache with a copy of this sequence's tokens (prefix sharing). */
    void copyTo(Sequence target);

    @Override
    void close();
}
