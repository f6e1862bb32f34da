package dev.specd.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of one engine (the thread that owns one target model's context), labelled
 * {@code engine}: its state after the last turn, its capacity, the saturation figure an autoscaler
 * reads, and the age of its last turn (its heartbeat: an idle engine still turns every fraction of
 * a second to look at its queue, so an old turn means a stuck thread).
 */
final class EngineMeters {

    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();
    final AtomicInteger batchRows = new AtomicInteger();
    final AtomicInteger kvCells = new AtomicInteger();
    /** 0 until the engine reports its capacity ({@code engineStarted}); saturation is NaN until then. */
    final AtomicInteger sequencesCapacity = new AtomicInteger();
    final AtomicInteger queueCapacity = new AtomicInteger();
    final AtomicInteger kvCapacity = new AtomicInteger();
    private final AtomicLong lastTurnNanos;
    private final LongSupplier clock;

    EngineMeters(MeterRegistry registry, String engine, LongSupplier clock) {
        this.clock = clock;
        this.lastTurnNanos = new AtomicLong(clock.getAsLong());
        Tags tags = Tags.of("engine", engine);
        gauge(registry, "specd_num_requests_running", "Requests generating in a sequence slot", tags, running);
        gauge(registry, "specd_num_requests_waiting", "Requests waiting in the queue for a slot", tags, waiting);
        gauge(registry, "specd_batch_rows", "Tokens in the last engine turn's batch", tags, batchRows);
        gauge(registry, "specd_kv_cache_used_cells", "KV cells in use in the engine's context", tags, kvCells);
        gauge(registry, "specd_sequences_capacity", "Sequence slots: requests the engine decodes at once", tags,
                sequencesCapacity);
        gauge(registry, "specd_queue_capacity", "Requests that may wait for a slot; one more is refused (429)", tags,
                queueCapacity);
        gauge(registry, "specd_kv_cache_capacity_cells", "KV cells of the engine's context", tags, kvCapacity);
        register(registry, "specd_saturation", "Demand over capacity: max((running + waiting) / sequences, "
                + "KV cells used / KV cells); 1 = every slot busy, above 1 = requests queue", tags,
                EngineMeters::saturation);
        register(registry, "specd_engine_turn_age_seconds", "Seconds since the engine thread last finished a turn "
                + "(it turns at least every 0.2 s when idle)", tags, EngineMeters::turnAgeSeconds);
    }

    void capacity(int sequences, int queue, int kv) {
        sequencesCapacity.set(sequences);
        queueCapacity.set(queue);
        kvCapacity.set(kv);
        lastTurnNanos.set(clock.getAsLong()); // (re)started: its heartbeat counts from now
    }

    void turn(int runningNow, int waitingNow, int rows, int cells) {
        running.set(runningNow);
        waiting.set(waitingNow);
        batchRows.set(rows);
        kvCells.set(cells);
        lastTurnNanos.set(clock.getAsLong());
    }

    /**
     * Requests over slots, so that an autoscaler's proportional rule (replicas × saturation /
     * target) asks for the replicas the demand needs; or the KV cache's fill when that binds first.
     */
    double saturation() {
        int slots = sequencesCapacity.get();
        if (slots == 0) return Double.NaN;
        double demand = (double) (running.get() + waiting.get()) / slots;
        int cells = kvCapacity.get();
        return cells == 0 ? demand : Math.max(demand, (double) kvCells.get() / cells);
    }

    double turnAgeSeconds() {
        return Math.max(0, clock.getAsLong() - lastTurnNanos.get()) * 1e-9;
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags, AtomicInteger value) {
        Gauge.builder(name, value, AtomicInteger::get).description(description).tags(tags).strongReference(true)
                .register(registry);
    }

    private void register(MeterRegistry registry, String name, String description, Tags tags,
                          ToDoubleFunction<EngineMeters> value) {
        Gauge.builder(name, this, value).description(description).tags(tags).strongReference(true).register(registry);
    }
}
