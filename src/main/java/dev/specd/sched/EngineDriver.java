package dev.specd.sched;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one thread that drives every engine of the process, turn after turn, and so makes every
 * llama.cpp decode of the process. Not one thread per engine, because of how the bundled llama.cpp
 * computes: its CPU backend runs each decode as an OpenMP parallel region, and libgomp keeps one
 * team of worker threads per calling thread. Once two threads have decoded, the process holds more
 * OpenMP threads than there are cores, and libgomp then "throttles": its workers spin only ~100
 * iterations at each barrier before sleeping in the kernel, and a decode passes hundreds of
 * barriers — measured, one busy engine fell from 41 to 23 tokens/s as soon as an idle one had
 * decoded once, and stayed there. One calling thread keeps one team. On a CPU, decodes of two
 * engines in parallel would only share the same cores anyway; engines take turns instead.
 * <p>
 * Engines are started (calibrated, one after another) on this thread before they serve. A turn
 * that had nothing to do for any engine waits for a submission to wake it.
 */
public final class EngineDriver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EngineDriver.class);
    /** Longest idle wait: also how often idle engines get their upkeep. */
    private static final long IDLE_WAIT_MS = 200;

    private final String name;
    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Object signal = new Object();
    private final Thread thread;
    private boolean woken;
    private volatile boolean stopping;

    private EngineDriver(String name) {
        this.name = name;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
    }

    /** A driver with its thread running. */
    public static EngineDriver start(String name) {
        EngineDriver d = new EngineDriver(name);
        d.thread.start();
        return d;
    }

    /** Adds an engine: the driver starts it (calibration) and then turns it with the others. */
    public void add(Engine engine) {
        engine.attach(this);
        tasks.add(() -> {
            if (stopping) return;
            engine.start();
            engines.add(engine);
        });
        wake();
    }

    /**
     * Stops turning {@code engine}; once this returns true the driver never touches it again, so its
     * contexts may be freed. False when the driver did not get to it in time (it is stuck in a
     * decode): then nothing may be freed.
     */
    public boolean remove(Engine engine, Duration timeout) {
        if (!thread.isAlive()) {
            engines.remove(engine);
            return true;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            engines.remove(engine);
            done.complete(null);
        });
        wake();
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs {@code task} on the driver thread, between turns, and waits for it: native work outside
     * the engines' turns (an embedding) still comes from the one thread that makes every decode.
     */
    public <T> T call(java.util.concurrent.Callable<T> task, Duration timeout) {
        if (isDriverThread() || !thread.isAlive()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        wake();
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the engine driver did not get to the task within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** There may be work: a submission, a drain, a task. */
    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                for (Runnable t; (t = tasks.poll()) != null; ) t.run();
                boolean worked = false;
                for (Engine e : engines) worked |= e.turn();
                if (!worked) {
                    for (Engine e : engines) e.idle();
                    await();
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable e) {
                // Engines guard their own turns; whatever still got here must not end the thread.
                LOG.errorf(e, "driver %s: unexpected failure", name);
            }
        }
        for (Runnable t; (t = tasks.poll()) != null; ) t.run();
    }

    private void await() throws InterruptedException {
        synchronized (signal) {
            if (!woken) signal.wait(IDLE_WAIT_MS);
            woken = false;
        }
    }

    /** Whether the caller is this driver's thread. */
    boolean isDriverThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops the thread after its current turn; engines are not closed (their owner does that). */
    @Override
    public void close() {
        stopping = true;
        wake();
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) LOG.warnf("driver %s did not stop within 10 s", name);
    }

    /** Whether the thread has ended: only then may engines it drove be freed without {@link #remove}. */
    public boolean stopped() {
        return !thread.isAlive();
    }
}
