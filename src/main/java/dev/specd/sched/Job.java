package dev.specd.sched;

import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.Generation;
import io.smallrye.mutiny.subscription.MultiEmitter;

/** One request inside an engine loop: waiting in its queue, then running in a sequence slot. */
final class Job {

    final GenerationRequest request;
    final MultiEmitter<? super GenerationEvent> emitter;
    /** In the loop's clock ({@link System#nanoTime()} in production). */
    private final long deadlineNanos;
    /** Set by the client going away, or by the loop when it replaced the generation's end with a failure. */
    volatile boolean cancelled;
    /** Null while waiting; set (and only read) on the engine thread. */
    Generation generation;

    Job(GenerationRequest request, MultiEmitter<? super GenerationEvent> emitter, long deadlineNanos) {
        this.request = request;
        this.emitter = emitter;
        this.deadlineNanos = deadlineNanos;
    }

    /** Compared by difference, as {@link System#nanoTime()} values must be: they may wrap. */
    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }
}
