package dev.specd.sched;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pipelines the server serves, in configured order (the first is the default), and whether
 * their models are still loading. Filled once by start-up; read by every request.
 */
@ApplicationScoped
public class PipelineRegistry {

    private final Map<String, EngineLoop> engines = new LinkedHashMap<>();
    private volatile boolean ready;
    private volatile boolean shuttingDown;
    private volatile String failure;
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;

    public synchronized void register(EngineLoop engine) {
        if (engines.putIfAbsent(engine.plan().id(), engine) != null) {
            throw new IllegalArgumentException("two pipelines have the id " + engine.plan().id());
        }
    }

    public void markReady() {
        ready = true;
    }

    public void markFailed(String why) {
        failure = why;
    }

    public boolean isReady() {
        return ready;
    }

    /** Set once {@link #shutdown} began: the server takes no new requests. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public synchronized Optional<EngineLoop> find(String id) {
        return Optional.ofNullable(engines.get(id));
    }

    public synchronized List<EngineLoop> all() {
        return new ArrayList<>(engines.values());
    }

    public long createdEpochSeconds() {
        return createdEpochSeconds;
    }

    /**
     * The server takes no new requests from now on (503, and not ready); those already taken go
     * on. Called the moment the process is told to stop, before {@link #drain} begins.
     */
    public void stopAdmitting() {
        shuttingDown = true;
        ready = false;
    }

    /**
     * Graceful shutdown, first part: no new requests from now on (and not ready), the requests
     * already taken finish until {@code drainTimeout}, those left are ended. Engines keep their
     * models until {@link #shutdown}; calling this again returns at once.
     */
    public void drain(Duration drainTimeout) {
        List<EngineLoop> engines;
        synchronized (this) {
            shuttingDown = true;
            ready = false;
            engines = new ArrayList<>(this.engines.values());
        }
        // Side by side, so that all pipelines drain within the one timeout.
        try (ExecutorService drains = Executors.newVirtualThreadPerTaskExecutor()) {
            for (EngineLoop e : engines) drains.submit(() -> e.drain(drainTimeout));
        }
    }

    /** {@link #drain}, then every engine closed and its contexts and models freed. */
    public void shutdown(Duration drainTimeout) {
        drain(drainTimeout);
        closeAll();
    }

    /** Stops every engine at once, failing what they still run. */
    public synchronized void closeAll() {
        ready = false;
        for (EngineLoop e : engines.values()) e.close();
        engines.clear();
    }
}
