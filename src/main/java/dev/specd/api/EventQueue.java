package dev.specd.api;

import dev.specd.runtime.FinishReason;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sched.GenerationSink;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerException;
import dev.specd.sched.Submission;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The events of one request's choices, from the engine thread (each choice's {@link GenerationSink})
 * to the worker thread that writes the HTTP response, as one queue of events tagged with their
 * choice. Cancelling it cancels every choice, which frees their sequences — done when the client
 * disconnects.
 */
final class EventQueue {

    /** What the queue yields: an event, a failure, or the reader's own cancellation. */
    sealed interface Item {
    }

    record Event(int choice, GenerationEvent event) implements Item {
    }

    record Failure(SchedulerException error) implements Item {
    }

    /** Queued by {@link #cancel()}: cancelled generations send nothing more, so a waiting reader must be woken. */
    record Cancelled() implements Item {
    }

    /** Receives the events of every choice, in the order they arrive. */
    @FunctionalInterface
    interface Listener {
        void on(int choice, GenerationEvent event) throws IOException;
    }

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final List<Submission> submissions = new ArrayList<>();
    private final int choices;
    private final KeyUsage usage;

    private EventQueue(int choices, KeyUsage usage) {
        this.choices = choices;
        this.usage = usage;
    }

    /**
     * Submits every choice to {@code pipeline}. A refusal (a full queue, shutdown) cancels the
     * choices already submitted — they must not run for nobody — and is thrown before any
     * response is committed, so that it can still be answered with its own status.
     */
    static EventQueue submit(Pipeline pipeline, List<GenerationRequest> requests) {
        return submit(pipeline, requests, KeyUsage.NONE);
    }

    /** As {@link #submit(Pipeline, List)}, with every choice's tokens metered for its API key. */
    static EventQueue submit(Pipeline pipeline, List<GenerationRequest> requests, KeyUsage usage) {
        EventQueue q = new EventQueue(requests.size(), usage);
        try {
            for (int i = 0; i < requests.size(); i++) {
                int choice = i;
                q.submissions.add(pipeline.submit(requests.get(i), usage.meter(choice, new GenerationSink() {
                    @Override
                    public void onEvent(GenerationEvent event) {
                        q.items.add(new Event(choice, event));
                    }

                    @Override
                    public void onFailure(SchedulerException failure) {
                        q.items.add(new Failure(failure));
                    }
                })));
            }
        } catch (SchedulerException e) {
            q.cancel();
            throw e;
        }
        return q;
    }

    int choices() {
        return choices;
    }

    /**
     * Hands every event to {@code listener} until each choice has sent its {@link GenerationEvent.Done}.
     * A scheduler failure is rethrown as it is (a timeout keeps its own status).
     *
     * @param timeoutMillis longest wait for the next event before the engine counts as stuck
     */
    void forEach(Listener listener, long timeoutMillis) throws IOException, InterruptedException {
        int left = choices;
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
                        left--;
                    }
                    listener.on(choice, event);
                }
                case Failure(SchedulerException e) -> throw e;
                case Cancelled() -> throw cancelled();
            }
        }
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
        for (Submission s : submissions) s.cancel();
        usage.cancelled(); // a cancelled choice sends nothing more: its key is charged what it used
        items.add(new Cancelled());
    }
}
