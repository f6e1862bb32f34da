package dev.specd.engine.llamacpp;

import dev.specd.engine.EngineException;

import java.time.Duration;

/**
 * Counts the native calls in flight on one model from threads other than its engine's (request
 * threads tokenise and render templates), so that the model is freed only once the last of them
 * has returned. Freeing llama.cpp's model under a tokenising thread ended the process with a fatal
 * error in llama-vocab.cpp on SIGTERM; with this, a call after close fails cleanly instead, and
 * close waits for the calls already inside.
 */
final class NativeUses {

    private final String what;
    private int inFlight;
    private boolean closing;

    NativeUses(String what) {
        this.what = what;
    }

    /** Before a native call; fails once the model is closing. Pair with {@link #exit()} in a finally. */
    synchronized void enter() {
        if (closing) throw new EngineException(what + " is closed");
        inFlight++;
    }

    synchronized void exit() {
        if (--inFlight == 0) notifyAll();
    }

    /**
     * Refuses new calls and waits up to {@code timeout} for those in flight.
     *
     * @return whether none is left: only then may the native memory be freed
     */
    synchronized boolean closeAndAwait(Duration timeout) {
        closing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight == 0;
        }
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
