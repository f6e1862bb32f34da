package dev.specd.sched;

/** The admission queue of an engine is full; the client should retry later. */
public final class QueueFullException extends SchedulerException {
    private final int retryAfterSeconds;

    public QueueFullException(String engine, int capacity, int retryAfterSeconds) {
        super("engine " + engine + " has " + capacity + " requests waiting; retry later");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
