package dev.specd.app;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A signal runs its action at once and then its previous Java handler; uninstalled, only the
 * latter. SIGWINCH with a handler of the test's own stands in for SIGTERM and the JVM's handler.
 */
class TermSignalTest {

    static final Signal WINCH = new Signal("WINCH");

    @Test
    void theActionRunsBeforeThePreviousHandlerUntilUninstalled() {
        AtomicInteger previous = new AtomicInteger();
        AtomicInteger actions = new AtomicInteger();
        SignalHandler original = Signal.handle(WINCH, s -> previous.incrementAndGet());
        try {
            TermSignal installed = TermSignal.install("WINCH", actions::incrementAndGet);
            assertNotNull(installed);
            Signal.raise(WINCH);
            await().atMost(Duration.ofSeconds(10)).until(() -> previous.get() == 1);
            assertEquals(1, actions.get(), "the action ran first");
            installed.uninstall();
            Signal.raise(WINCH);
            await().atMost(Duration.ofSeconds(10)).until(() -> previous.get() == 2);
            assertEquals(1, actions.get(), "uninstalled");
        } finally {
            Signal.handle(WINCH, original);
        }
    }

    @Test
    void aSignalLeftToTheOsIsNotTaken() {
        SignalHandler original = Signal.handle(WINCH, SignalHandler.SIG_DFL);
        try {
            assertNull(TermSignal.install("WINCH", () -> { }));
            assertEquals(SignalHandler.SIG_DFL, Signal.handle(WINCH, SignalHandler.SIG_DFL));
        } finally {
            Signal.handle(WINCH, original);
        }
    }
}
