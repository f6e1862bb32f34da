package dev.specd.sched;

import dev.specd.runtime.GenerationEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A sink that keeps a whole generation: for tools and tests that run requests in-process and want
 * the answer, not a stream. {@link #result()} completes with the text events and the end, or
 * exceptionally with the scheduler's failure.
 */
public final class Collector implements GenerationSink {

    /**
     * A finished generation.
     *
     * @param firstTokenNanos when the first event with tokens arrived ({@link System#nanoTime()}), -1 without one
     * @param lastTokenNanos  when the last one did
     */
    public record Completed(List<GenerationEvent.Text> texts, GenerationEvent.Done done, long firstTokenNanos,
                            long lastTokenNanos) {

        public Completed {
            texts = List.copyOf(texts);
        }

        /** Every token emitted, in order. */
        public int[] tokens() {
            return texts.stream().flatMapToInt(t -> java.util.Arrays.stream(t.tokens())).toArray();
        }

        public String text() {
            StringBuilder s = new StringBuilder();
            for (GenerationEvent.Text t : texts) s.append(t.text());
            return s.toString();
        }
    }

    private final List<GenerationEvent.Text> texts = new ArrayList<>();
    private long first = -1;
    private long last = -1;
    private final CompletableFuture<Completed> result = new CompletableFuture<>();

    /** Submits {@code request} to {@code pipeline} and collects it. */
    public static CompletableFuture<Completed> submit(Pipeline pipeline, dev.specd.runtime.GenerationRequest request) {
        Collector c = new Collector();
        try {
            pipeline.submit(request, c);
        } catch (SchedulerException e) {
            c.result.completeExceptionally(e);
        }
        return c.result;
    }

    /** Runs {@code request} on {@code pipeline} and waits for its end. */
    public static Completed run(Pipeline pipeline, dev.specd.runtime.GenerationRequest request) {
        return submit(pipeline, request).join();
    }

    @Override
    public synchronized void onEvent(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Text t -> {
                texts.add(t);
                if (t.tokens().length > 0) {
                    last = System.nanoTime();
                    if (first < 0) first = last;
                }
            }
            case GenerationEvent.Done d -> result.complete(new Completed(texts, d, first, last));
        }
    }

    @Override
    public void onFailure(SchedulerException failure) {
        result.completeExceptionally(failure);
    }

    public CompletableFuture<Completed> result() {
        return result;
    }
}
