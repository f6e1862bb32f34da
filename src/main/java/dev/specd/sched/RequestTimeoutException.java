package dev.specd.sched;

import java.time.Duration;

/**
 * A request outlived the pipeline's request timeout.
 *
 * @see #started()
 */
public class RequestTimeoutException extends RuntimeException {

    private final boolean started;

    public RequestTimeoutException(String pipeline, Duration timeout, boolean started) {
        super(started
                ? "the request did not finish within the request timeout of " + timeout + " of pipeline " + pipeline
                : "the request waited for a free slot of pipeline " + pipeline + " longer than its request timeout of "
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
