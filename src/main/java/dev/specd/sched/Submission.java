package dev.specd.sched;

/** A request handed to an engine. */
public interface Submission {

    /**
     * Ends the request: its client went away. A waiting request gives its place back, a running one
     * its sequence slot at the next turn; nothing more reaches its sink. Idempotent.
     */
    void cancel();
}
