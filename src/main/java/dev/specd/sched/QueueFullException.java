package dev.specd.sched;

/** The admission queue of a pipeline is full; the client should retry later. */
public class QueueFullException extends RuntimeException {
    private final int retryAfterSeconds;

    public QueueFullException(String pipeline, int capacity, int retryAfterSeconds) {
        super("pipeline " + pipeline + " has " + capacity + " requests waiting; retry later");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
