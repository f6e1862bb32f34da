package dev.specd.runtime.adaptive;

/**
 * What a draft-length policy reports as it decides: the observation port of the adaptive side,
 * extended by the runtime's {@code Telemetry} (which the metrics implement), so that policies
 * report without knowing who observes them. Called on the engine thread; quick, no I/O.
 */
public interface PolicyEvents {

    PolicyEvents NONE = new PolicyEvents() {
    };

    /** A request's policy turned speculation off because it predicted no speed-up. */
    default void deoptimised(String pipeline) {
    }

    /** The draft length a request's policy chose for its next round (0: no draft). */
    default void chosenK(String pipeline, int k) {
    }
}
