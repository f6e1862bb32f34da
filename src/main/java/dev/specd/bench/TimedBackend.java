package dev.specd.bench;

import dev.specd.engine.ChatMessage;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.ModelInfo;
import dev.specd.engine.Sequence;
import dev.specd.engine.Vocab;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A model whose contexts record each decode: how long it computed ({@link ModelContext#lastDecodeNanos})
 * and the decoding thread's CPU clock before and after it. What a benchmark needs to find the
 * host's share of a token, the work done in Java around the engine (sampling, scheduling,
 * emitting): the wall time per token minus the decode, or, robust to a busy machine, the engine
 * thread's CPU time between one decode and the next. Decodes run on the engine loop's thread and
 * are read on another, hence the lock.
 */
final class TimedBackend implements ModelBackend {

    /**
     * One decode.
     *
     * @param computeNanos what the engine reports it computed
     * @param cpuBefore    the decoding thread's CPU time when the call began
     * @param cpuAfter     and when it returned
     */
    record Decode(long computeNanos, long cpuBefore, long cpuAfter) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final ModelBackend delegate;
    private final List<Decode> decodes = new ArrayList<>();

    TimedBackend(ModelBackend delegate) {
        this.delegate = delegate;
    }

    /** Every decode since the last call, in order; clears the record. */
    synchronized List<Decode> takeDecodes() {
        List<Decode> out = List.copyOf(decodes);
        decodes.clear();
        return out;
    }

    private synchronized void record(Decode decode) {
        decodes.add(decode);
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
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            List<float[][]> rows = decode.get();
            long wall = System.nanoTime() - t0;
            record(new Decode(context.lastDecodeNanos(wall), cpu0, THREADS.getCurrentThreadCpuTime()));
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
