package dev.specd.sched;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongSupplier;

/**
 * An engine's waiting room, shared by all its presets: a bounded queue of requests, each stamped
 * with its deadline as it enters. Submitters offer from their own threads; only the engine thread
 * takes out.
 */
final class Admission {

    private final String engine;
    private final BlockingQueue<Job> waiting;
    private final int capacity;
    private final Duration requestTimeout;
    private final LongSupplier clock;

    Admission(String engine, SchedulerLimits limits, LongSupplier clock) {
        this.engine = engine;
        this.capacity = limits.queueCapacity();
        this.waiting = new ArrayBlockingQueue<>(capacity);
        this.requestTimeout = limits.requestTimeout();
        this.clock = clock;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    int capacity() {
        return capacity;
    }

    long now() {
        return clock.getAsLong();
    }

    /** A job whose deadline counts from now. */
    Job newJob(dev.specd.runtime.GenerationRequest request, GenerationSink sink, Pipeline pipeline) {
        long now = clock.getAsLong();
        return new Job(request, sink, pipeline, now, now + requestTimeout.toNanos());
    }

    /** Queues a request, or refuses it at once when the queue is full. */
    void offer(Job job) {
        if (!waiting.offer(job)) throw new QueueFullException(engine, waiting.size(), 1);
    }

    /**
     * The next request to admit, or null: requests whose client went away are skipped, those past
     * their deadline failed.
     */
    Job poll() {
        long now = clock.getAsLong();
        Job job = waiting.poll();
        while (job != null && (job.cancelled || job.expired(now))) {
            if (!job.cancelled) job.sink.onFailure(timeout(false));
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
            if (waiting.remove(job) && !job.cancelled) job.sink.onFailure(timeout(false));
        }
    }

    /** Fails every waiting request. */
    void failAll(SchedulerException why) {
        for (Job job; (job = waiting.poll()) != null; ) {
            if (!job.cancelled) job.sink.onFailure(why);
        }
    }

    RequestTimeoutException timeout(boolean started) {
        return new RequestTimeoutException(engine, requestTimeout, started);
    }
}
