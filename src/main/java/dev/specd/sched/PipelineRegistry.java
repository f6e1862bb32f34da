package dev.specd.sched;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipelines the server serves, in configured order (the first is the default), and whether
 * their models are still loading. Filled once by start-up; read by every request.
 */
@ApplicationScoped
public class PipelineRegistry {

    private final Map<String, EngineLoop> engines = new LinkedHashMap<>();
    private volatile boolean ready;
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

    /** Stops every engine; called on shutdown. */
    public synchronized void closeAll() {
        ready = false;
        for (EngineLoop e : engines.values()) e.close();
        engines.clear();
    }
}
