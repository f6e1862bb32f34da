package dev.specd.sched;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.Generation;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.adaptive.RequestClass;

/** One request inside an engine: waiting in its queue, then running in a sequence slot. */
final class Job implements Submission {

    final GenerationRequest request;
    final GenerationSink sink;
    /** The preset the request named. */
    final Pipeline pipeline;
    /** When the request entered the queue, in the engine's clock ({@link System#nanoTime()} in production). */
    final long enqueuedNanos;
    /** In the engine's clock. */
    private final long deadlineNanos;
    /** Set by the client going away, or by the engine when it replaced the generation's end with a failure. */
    volatile boolean cancelled;
    /** Null while waiting; set (and only read) on the engine thread. */
    Generation generation;
    RequestClass requestClass;

    // The fields below belong to the engine thread (TurnLedger keeps them).

    /** When the first non-empty text was emitted, and the latest token; -1 before. */
    long firstTextNanos = -1;
    long lastTokenNanos = -1;
    /** Joules charged so far: its shares of the turns it took part in. */
    double joules;
    /** The generation's end, held until its turn's energy is split (then it carries its joules). */
    GenerationEvent.Done done;

    Job(GenerationRequest request, GenerationSink sink, Pipeline pipeline, long enqueuedNanos, long deadlineNanos) {
        this.request = request;
        this.sink = sink;
        this.pipeline = pipeline;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** The mode the generation runs in, for the metrics' labels. */
    SpeculationMode mode() {
        return request.speculation().mode();
    }

    String pipelineId() {
        return pipeline.id();
    }

    /** Compared by difference, as {@link System#nanoTime()} values must be: they may wrap. */
    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }

    @Override
    public void cancel() {
        cancelled = true;
    }
}
