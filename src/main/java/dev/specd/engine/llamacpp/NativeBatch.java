package dev.specd.engine.llamacpp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@code llama_batch} whose arrays live in an arena we own (instead of llama_batch_init), so
 * that closing the batch frees everything and no native free can be forgotten. Each token belongs
 * to exactly one sequence: {@code seq_id[i]} points at the i-th slot of one int array.
 */
final class NativeBatch implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final MemorySegment struct;
    private final MemorySegment tokens;
    private final MemorySegment positions;
    private final MemorySegment seqIds;
    private final MemorySegment logits;
    private int size;

    NativeBatch(int capacity) {
        this.capacity = capacity;
        this.struct = arena.allocate(LlamaStructs.BATCH);
        this.tokens = arena.allocate(JAVA_INT, capacity);
        this.positions = arena.allocate(JAVA_INT, capacity);
        MemorySegment nSeqId = arena.allocate(JAVA_INT, capacity);
        this.seqIds = arena.allocate(JAVA_INT, capacity);
        MemorySegment seqIdPointers = arena.allocate(ADDRESS, capacity);
        this.logits = arena.allocate(JAVA_BYTE, capacity);
        for (int i = 0; i < capacity; i++) {
            nSeqId.setAtIndex(JAVA_INT, i, 1);
            seqIdPointers.setAtIndex(ADDRESS, i, seqIds.asSlice((long) i * Integer.BYTES, Integer.BYTES));
        }
        struct.set(ADDRESS, 8, tokens);
        struct.set(ADDRESS, 16, MemorySegment.NULL);
        struct.set(ADDRESS, 24, positions);
        struct.set(ADDRESS, 32, nSeqId);
        struct.set(ADDRESS, 40, seqIdPointers);
        struct.set(ADDRESS, 48, logits);
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Adds one token; returns its row index in the batch. */
    int add(int token, int position, int sequence, boolean wantLogits) {
        if (size == capacity) throw new IllegalStateException("batch full (" + capacity + " tokens)");
        tokens.setAtIndex(JAVA_INT, size, token);
        positions.setAtIndex(JAVA_INT, size, position);
        seqIds.setAtIndex(JAVA_INT, size, sequence);
        logits.setAtIndex(JAVA_BYTE, size, (byte) (wantLogits ? 1 : 0));
        return size++;
    }

    /** The struct to pass by value, with n_tokens written (llama_decode reads it each call). */
    MemorySegment struct() {
        struct.set(JAVA_INT, 0, size);
        return struct;
    }

    @Override
    public void close() {
        arena.close();
    }
}
