package dev.specd.app;

import org.jboss.logging.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs an action the moment the process gets a signal, then lets the signal do what it did before.
 * Quarkus hears of a SIGTERM only through a JVM shutdown hook that wakes its main thread, which
 * then fires the pre-shutdown event: measured here 100–250 ms after the signal on a busy machine,
 * time in which new requests were still admitted (and then served by the drain). The signal's own
 * handler runs within milliseconds.
 */
final class TermSignal {

    private static final Logger LOG = Logger.getLogger(TermSignal.class);

    private final Signal signal;
    private final SignalHandler previous;

    private TermSignal(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    /**
     * Runs {@code action} on {@code name} (e.g. {@code TERM}) before the signal's previous Java
     * handler (for TERM and INT the JVM's own, which begins the orderly exit). Nothing is installed
     * for a signal without one (ignored, left to the OS's default: e.g. under {@code -Xrs}), or
     * one the JVM does not let us handle.
     *
     * @return the installed handler, to {@link #uninstall()}; null when none was installed
     */
    static TermSignal install(String name, Runnable action) {
        try {
            Signal signal = new Signal(name);
            SignalHandler[] previous = new SignalHandler[1];
            previous[0] = Signal.handle(signal, s -> {
                action.run();
                previous[0].handle(s);
            });
            if (previous[0] == SignalHandler.SIG_IGN || previous[0] == SignalHandler.SIG_DFL) {
                Signal.handle(signal, previous[0]); // native handling cannot be chained to from Java
                return null;
            }
            return new TermSignal(signal, previous[0]);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debugf("SIG%s is not handled here (%s): shutdown begins with Quarkus' own hook", name, e.getMessage());
            return null;
        }
    }

    /** Puts the previous handler back (the server stopped; a later start in this JVM installs its own). */
    void uninstall() {
        try {
            Signal.handle(signal, previous);
        } catch (IllegalArgumentException e) {
            LOG.debugf("SIG%s handler not restored: %s", signal.getName(), e.getMessage());
        }
    }
}
