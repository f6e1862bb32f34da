package dev.specd.sched;

/** The pipeline is shutting down: it takes no new requests, and ends those still unfinished at its drain timeout. */
public class ShuttingDownException extends RuntimeException {

    public ShuttingDownException(String pipeline) {
        super("server shutting down (pipeline " + pipeline + ")");
    }
}
