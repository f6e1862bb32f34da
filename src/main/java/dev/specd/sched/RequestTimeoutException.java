package dev.specd.sched;

import java.time.Duration;

/**
 * A request outlived the pipeline's request timeout.
 *
 * @see #started()
 */
public final class RequestTimeoutException extends SchedulerException {

    private final boolean started;

    public RequestTimeoutException(String engine, Duration timeout, boolean started) {
        super(started
                ? "the request did not finish within the request timeout of " + timeout + " of engine " + engine
                : "the request waited for a free slot of engine " + engine + " longer than its request timeout of "
                        + timeout + "; retry later");
        this.started = started;
    }

    /**
     * Whether the request had begun generating: false means it never left the queue (the server
     * is overloaded; retrying later can help), true that the generation itself ran too long.
     */
    public boolean started() {
        return started;
    }
}
