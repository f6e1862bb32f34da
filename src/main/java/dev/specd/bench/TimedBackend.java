package dev.specd.bench;

import dev.specd.engine.ChatMessage;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.ModelInfo;
import dev.specd.engine.Sequence;
import dev.specd.engine.Vocab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A model whose contexts record how long each decode computed ({@link ModelContext#lastDecodeNanos}):
 * what a benchmark subtracts from the time per token to find the host's share, the work done in
 * Java around the engine (sampling, scheduling, emitting). Decodes run on the engine loop's
 * thread and are read on another, hence the lock.
 */
final class TimedBackend implements ModelBackend {

    private final ModelBackend delegate;
    private final List<Long> decodeNanos = new ArrayList<>();

    TimedBackend(ModelBackend delegate) {
        this.delegate = delegate;
    }

    /** The compute time of every decode since the last call, in order; clears the record. */
    synchronized List<Long> takeDecodes() {
        List<Long> out = List.copyOf(decodeNanos);
        decodeNanos.clear();
        return out;
    }

    private synchronized void record(long nanos) {
        decodeNanos.add(nanos);
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public Vocab vocab() {
        return delegate.vocab();
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrompt) {
        return delegate.applyChatTemplate(messages, addAssistantPrompt);
    }

    @Override
    public ModelContext newContext(ContextOptions options) {
        return new Timed(delegate.newContext(options));
    }

    @Override
    public void close() {
        delegate.close();
    }

    private final class Timed implements ModelContext {
        private final ModelContext context;

        Timed(ModelContext context) {
            this.context = context;
        }

        private List<float[][]> timed(Supplier<List<float[][]>> decode) {
            long t0 = System.nanoTime();
            List<float[][]> rows = decode.get();
            record(context.lastDecodeNanos(System.nanoTime() - t0));
            return rows;
        }

        @Override
        public List<float[][]> decode(List<DecodeStep> steps) {
            return timed(() -> context.decode(steps));
        }

        @Override
        public List<float[][]> decodeTransient(List<DecodeStep> steps) {
            return timed(() -> context.decodeTransient(steps));
        }

        @Override
        public long lastDecodeNanos() {
            return context.lastDecodeNanos();
        }

        @Override
        public int contextLength() {
            return context.contextLength();
        }

        @Override
        public int maxSequences() {
            return context.maxSequences();
        }

        @Override
        public int openSequences() {
            return context.openSequences();
        }

        @Override
        public int usedCells() {
            return context.usedCells();
        }

        @Override
        public Sequence openSequence() {
            return context.openSequence();
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
