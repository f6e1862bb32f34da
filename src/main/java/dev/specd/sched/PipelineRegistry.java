package dev.specd.sched;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The pipelines (presets) the server serves, in configured order (the first is the default), the
 * engines under them, and whether they are still loading. Filled once by start-up; read by every
 * request.
 */
@ApplicationScoped
public class PipelineRegistry {

    private final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
    private volatile boolean ready;
    private volatile boolean shuttingDown;
    private volatile String failure;
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;

    public synchronized void register(Pipeline pipeline) {
        if (pipelines.putIfAbsent(pipeline.id(), pipeline) != null) {
            throw new IllegalArgumentException("two pipelines have the id " + pipeline.id());
        }
    }

    public void markReady() {
        ready = true;
    }

    public void markFailed(String why) {
        failure = why;
    }

    public boolean isReady() {
        return ready && !shuttingDown;
    }

    /** Set once {@link #drain} began: the server takes no new requests. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public synchronized Optional<Pipeline> find(String id) {
        return Optional.ofNullable(pipelines.get(id));
    }

    public synchronized List<Pipeline> all() {
        return new ArrayList<>(pipelines.values());
    }

    /** The engines under the pipelines, each once, in the order their first pipeline was registered. */
    public synchronized List<Engine> engines() {
        LinkedHashSet<Engine> out = new LinkedHashSet<>();
        for (Pipeline p : pipelines.values()) out.add(p.engine());
        return List.copyOf(out);
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
     * contexts; calling this again returns at once.
     */
    public void drain(Duration drainTimeout) {
        List<Engine> all;
        synchronized (this) {
            shuttingDown = true;
            ready = false;
            all = engines();
        }
        // Side by side, so that all engines drain within the one timeout.
        try (ExecutorService drains = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Engine e : all) drains.submit(() -> e.drain(drainTimeout));
        }
    }

    /** Forgets every pipeline (their engines were closed by whoever started them). */
    public synchronized void clear() {
        ready = false;
        pipelines.clear();
    }
}
