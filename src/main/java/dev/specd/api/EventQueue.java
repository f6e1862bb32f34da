package dev.specd.api;

import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Bridges the generations of one request's choices (their {@link Multi}s, emitted on the engine
 * thread) to the worker thread that writes the HTTP response, as one queue of events tagged with
 * their choice. Cancelling it cancels every subscription, which cancels the generations and frees
 * their sequences — done when the client disconnects.
 */
final class EventQueue {

    /** What the queue yields: an event, a failure, or the end of one choice's generation. */
    sealed interface Item {
    }

    record Event(int choice, GenerationEvent event) implements Item {
    }

    record Failure(Throwable error) implements Item {
    }

    record End(int choice) implements Item {
    }

    /** Queued by {@link #cancel()}: cancelled subscriptions send nothing more, so a waiting reader must be woken. */
    record Cancelled() implements Item {
    }

    /** Receives the events of every choice, in the order they arrive. */
    @FunctionalInterface
    interface Listener {
        void on(int choice, GenerationEvent event) throws IOException;
    }

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final List<Cancellable> subscriptions = new ArrayList<>();

    EventQueue(List<Multi<GenerationEvent>> choices) {
        // Admission failures (a full queue) arrive during subscribe, so they are queued before
        // the caller looks: it can still answer with an error status instead of a stream.
        for (int i = 0; i < choices.size(); i++) {
            int choice = i;
            subscriptions.add(choices.get(i).subscribe().with(
                    e -> items.add(new Event(choice, e)),
                    t -> items.add(new Failure(t)),
                    () -> items.add(new End(choice))));
        }
    }

    int choices() {
        return subscriptions.size();
    }

    /** A failure that is already known, to be thrown before any response is committed. */
    RuntimeException earlyFailure() {
        for (Item item : items) {
            if (item instanceof Failure(Throwable t)) return asRuntime(t);
        }
        return null;
    }

    /**
     * Hands every event to {@code listener} until each choice has sent its {@link GenerationEvent.Done}.
     * A failed subscription is rethrown as it is (a late admission failure keeps its own status).
     *
     * @param timeoutMillis longest wait for the next event before the engine counts as stuck
     */
    void forEach(Listener listener, long timeoutMillis) throws IOException, InterruptedException {
        boolean[] done = new boolean[choices()];
        int left = done.length;
        while (left > 0) {
            Item item = items.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (item == null) throw new IllegalStateException("no event from the engine for " + timeoutMillis + " ms");
            switch (item) {
                case Event(int choice, GenerationEvent event) -> {
                    if (event instanceof GenerationEvent.Done d) {
                        // One failed choice fails the whole answer, streamed or not.
                        if (d.reason() == FinishReason.ERROR || d.reason() == FinishReason.CANCELLED) {
                            throw ApiException.generationFailed(d.error() != null ? d.error() : d.reason().openAi());
                        }
                        done[choice] = true;
                        left--;
                    }
                    listener.on(choice, event);
                }
                case Failure(Throwable t) -> throw asRuntime(t);
                case End(int choice) -> {
                    if (!done[choice]) throw new IllegalStateException("generation ended without a result");
                }
                case Cancelled() -> throw cancelled();
            }
        }
    }

    private static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /**
     * What a reader waiting for a cancelled request gets: its client is gone, so nobody reads the
     * answer; an {@link ApiException} because those are answered without being logged as faults.
     */
    private static ApiException cancelled() {
        return new ApiException(499, "invalid_request_error", null, "cancelled",
                "the request was cancelled: its client went away", 0);
    }

    /** Cancels every choice's generation; whoever waits in {@link #forEach} gets {@link #cancelled()}. */
    void cancel() {
        for (Cancellable s : subscriptions) s.cancel();
        items.add(new Cancelled());
    }
}
