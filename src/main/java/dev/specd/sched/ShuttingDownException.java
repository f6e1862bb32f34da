package dev.specd.sched;

/** The server is shutting down: it takes no new requests, and ends those still unfinished at its drain timeout. */
public final class ShuttingDownException extends SchedulerException {

    public ShuttingDownException(String engine) {
        super("server shutting down (engine " + engine + ")");
    }
}
