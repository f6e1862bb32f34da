package dev.specd.engine.llamacpp;

import dev.specd.engine.DecodeStep;
import dev.specd.engine.Sequence;

import java.util.List;

/** A sequence slot of a {@link LlamaContext}; its length is tracked here, mirrored by the KV cache. */
final class LlamaSequence implements Sequence {

    private final LlamaContext context;
    private final int id;
    private int length;
    private boolean closed;

    LlamaSequence(LlamaContext context, int id) {
        this.context = context;
        this.id = id;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public int length() {
        return length;
    }

    void advance(int tokens) {
        length += tokens;
    }

    LlamaContext context() {
        return context;
    }

    @Override
    public float[][] decode(int[] tokens, int logitsFrom) {
        ensureOpen();
        return context.decode(List.of(new DecodeStep(this, tokens, logitsFrom))).getFirst();
    }

    @Override
    public float[][] decodeTransient(int[] tokens, int logitsFrom) {
        ensureOpen();
        return context.decodeTransient(List.of(new DecodeStep(this, tokens, logitsFrom))).getFirst();
    }

    @Override
    public void truncate(int newLength) {
        ensureOpen();
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate sequence of length " + length + " to " + newLength);
        }
        if (newLength == length) return;
        context.removeFrom(id, newLength);
        length = newLength;
    }

    @Override
    public void copyTo(Sequence target) {
        ensureOpen();
        if (!(target instanceof LlamaSequence other) || other.context != context) {
            throw new IllegalArgumentException("can only copy to a sequence of the same context");
        }
        if (other == this) return;
        other.ensureOpen();
        context.copy(id, other.id, length);
        other.length = length;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        context.release(this);
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("sequence " + id + " is closed");
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ", length " + length + "]";
    }
}
