package dev.specd.sched;

import java.time.Duration;

/**
 * How much an engine loop takes on.
 *
 * @param queueCapacity  requests that may wait for a sequence slot; one more is refused at once
 *                       ({@link QueueFullException}) rather than left to wait without bound
 * @param requestTimeout the most a request may take from entering the queue to its last token;
 *                       past it the request ends with a {@link RequestTimeoutException}
 */
public record SchedulerLimits(int queueCapacity, Duration requestTimeout) {

    /** Longer timeouts are surely typos, and would overflow the loop's nanosecond deadlines. */
    private static final Duration LONGEST_TIMEOUT = Duration.ofDays(365);

    /** The server's defaults: 64 waiting requests, 10 minutes per request. */
    public static final SchedulerLimits DEFAULT = new SchedulerLimits(64, Duration.ofMinutes(10));

    public SchedulerLimits {
        if (queueCapacity < 1) throw new IllegalArgumentException("queue-capacity must be >= 1, got " + queueCapacity);
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.compareTo(LONGEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException("request-timeout must be positive and at most 365 days, got " + requestTimeout);
        }
    }

    public SchedulerLimits withQueueCapacity(int capacity) {
        return new SchedulerLimits(capacity, requestTimeout);
    }
}
