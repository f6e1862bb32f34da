package dev.specd.api;

import dev.specd.runtime.GenerationEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Bridges a generation's {@link Multi} (emitted on the engine thread) to the worker thread that
 * writes the HTTP response. Cancelling it cancels the subscription, which cancels the generation
 * and frees its sequence — done when the client disconnects.
 */
final class EventQueue {

    /** What the queue yields: an event, a failure, or the end. */
    sealed interface Item {
    }

    record Event(GenerationEvent event) implements Item {
    }

    record Failure(Throwable error) implements Item {
    }

    record End() implements Item {
    }

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final Cancellable subscription;

    EventQueue(Multi<GenerationEvent> events) {
        // Admission failures (a full queue) arrive during subscribe, so they are queued before
        // the caller looks: it can still answer with an error status instead of a stream.
        this.subscription = events.subscribe().with(
                e -> items.add(new Event(e)),
                t -> items.add(new Failure(t)),
                () -> items.add(new End()));
    }

    /** A failure that is already known, to be thrown before any response is committed. */
    RuntimeException earlyFailure() {
        if (items.peek() instanceof Failure(Throwable t)) {
            return t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
        return null;
    }

    Item next(long timeoutMillis) throws InterruptedException {
        Item item = items.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (item == null) throw new IllegalStateException("no event from the engine for " + timeoutMillis + " ms");
        return item;
    }

    void cancel() {
        subscription.cancel();
    }
}
