package dev.specd.sched;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.Generation;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** One request inside an engine loop: waiting in its queue, then running in a sequence slot. */
final class Job {

    final GenerationRequest request;
    final MultiEmitter<? super GenerationEvent> emitter;
    /** When the request entered the queue, in the loop's clock ({@link System#nanoTime()} in production). */
    final long enqueuedNanos;
    /** In the loop's clock. */
    private final long deadlineNanos;
    /** Set by the client going away, or by the loop when it replaced the generation's end with a failure. */
    volatile boolean cancelled;
    /** Null while waiting; set (and only read) on the engine thread. */
    Generation generation;

    // The fields below belong to the engine thread (TurnLedger keeps them).

    /** The mode the generation runs in, for the metrics' labels. */
    SpeculationMode mode() {
        return request.speculation().mode();
    }
    /** When the first non-empty text was emitted, and the latest token; -1 before. */
    long firstTextNanos = -1;
    long lastTokenNanos = -1;
    /** Joules charged so far: its shares of the turns it took part in. */
    double joules;
    /** The generation's end, held until its turn's energy is split (then it carries its joules). */
    GenerationEvent.Done done;

    Job(GenerationRequest request, MultiEmitter<? super GenerationEvent> emitter, long enqueuedNanos,
        long deadlineNanos) {
        this.request = request;
        this.emitter = emitter;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** Compared by difference, as {@link System#nanoTime()} values must be: they may wrap. */
    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }
}
