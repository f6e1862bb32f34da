package dev.specd.sched;

import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An engine loop's waiting room: a bounded queue of requests, each stamped with its deadline as it
 * enters. Submitters offer from their own threads; only the engine thread takes out.
 */
final class Admission {

    private final String pipeline;
    private final BlockingQueue<Job> waiting;
    private final Duration requestTimeout;
    private final LongSupplier clock;

    Admission(String pipeline, SchedulerLimits limits, LongSupplier clock) {
        this.pipeline = pipeline;
        this.waiting = new ArrayBlockingQueue<>(limits.queueCapacity());
        this.requestTimeout = limits.requestTimeout();
        this.clock = clock;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Queues a request; its deadline counts from now. Fails the emitter when the queue is full. */
    void offer(GenerationRequest request, MultiEmitter<? super GenerationEvent> emitter) {
        long now = clock.getAsLong();
        Job job = new Job(request, emitter, now, now + requestTimeout.toNanos());
        emitter.onTermination(() -> job.cancelled = true);
        if (!waiting.offer(job)) emitter.fail(new QueueFullException(pipeline, waiting.size(), 1));
    }

    /** The next request to admit, or null after {@code millis} without one. */
    Job poll(long millis) throws InterruptedException {
        return admissible(waiting.poll(millis, TimeUnit.MILLISECONDS));
    }

    /** The next request to admit, or null. */
    Job poll() {
        return admissible(waiting.poll());
    }

    /**
     * {@code job}, or the first waiting request after it, that can still be admitted: requests
     * whose client went away are skipped, those past their deadline failed.
     */
    private Job admissible(Job job) {
        long now = clock.getAsLong();
        while (job != null && (job.cancelled || job.expired(now))) {
            if (!job.cancelled) job.emitter.fail(timeout(false));
            job = waiting.poll();
        }
        return job;
    }

    int size() {
        return waiting.size();
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /**
     * Takes out the requests whose client went away (their places free up at once) and fails
     * those whose deadline passed while they waited for a slot.
     */
    void dropExpired(long now) {
        for (Job job : waiting) {
            if (!job.cancelled && !job.expired(now)) continue;
            if (waiting.remove(job) && !job.cancelled) job.emitter.fail(timeout(false));
        }
    }

    /** Fails every waiting request. */
    void failAll(RuntimeException why) {
        for (Job job; (job = waiting.poll()) != null; ) job.emitter.fail(why);
    }

    RequestTimeoutException timeout(boolean started) {
        return new RequestTimeoutException(pipeline, requestTimeout, started);
    }
}
