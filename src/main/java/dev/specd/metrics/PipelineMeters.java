package dev.specd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one pipeline that have no mode: its engine loop's state (gauges, set after every
 * turn), the latencies a client sees before and between tokens, and the policy's decisions. All
 * registered at once when the pipeline is first seen, so a dashboard finds every series from its
 * first scrape, zeros included.
 */
final class PipelineMeters {

    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();
    final AtomicInteger batchRows = new AtomicInteger();
    final AtomicInteger kvCells = new AtomicInteger();
    /** The last k a policy chose, as double bits; NaN until a policy reports one (no value yet). */
    private final AtomicLong k = new AtomicLong(Double.doubleToLongBits(Double.NaN));
    final Timer queueTime;
    final Timer firstToken;
    final Timer interToken;
    final Counter escalations;
    final Counter deoptimisations;

    PipelineMeters(MeterRegistry registry, String pipeline) {
        Tags tags = Tags.of("pipeline", pipeline);
        gauge(registry, "specd_num_requests_running", "Requests generating in a sequence slot", tags, running);
        gauge(registry, "specd_num_requests_waiting", "Requests waiting in the queue for a slot", tags, waiting);
        gauge(registry, "specd_batch_rows", "Tokens in the last engine turn's batch", tags, batchRows);
        gauge(registry, "specd_kv_cache_used_cells", "KV cells in use in the pipeline's context", tags, kvCells);
        Gauge.builder("specd_speculation_k", k, bits -> Double.longBitsToDouble(bits.get()))
                .description("The draft length the speculation policy chose last").tags(tags)
                .strongReference(true).register(registry);
        queueTime = Buckets.latency(registry, "specd_request_queue_time", "Time a request waited for a sequence slot",
                tags);
        firstToken = Buckets.latency(registry, "specd_time_to_first_token",
                "From entering the queue to the first text sent", tags);
        interToken = Buckets.latency(registry, "specd_inter_token_latency",
                "Between consecutive tokens of a request, as its stream sends them", tags);
        escalations = Counter.builder("specd_cascade_escalations")
                .description("Cascade rounds in which the draft model handed over to the target").tags(tags)
                .register(registry);
        deoptimisations = Counter.builder("specd_deoptimisations")
                .description("Requests whose policy turned speculation off as it predicted no speed-up").tags(tags)
                .register(registry);
    }

    void chosenK(int value) {
        k.set(Double.doubleToLongBits(value));
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags, AtomicInteger value) {
        Gauge.builder(name, value, AtomicInteger::get).description(description).tags(tags).strongReference(true)
                .register(registry);
    }
}
