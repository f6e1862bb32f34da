package dev.specd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one pipeline that have no mode: the latencies a client sees before and between
 * tokens, the policy's decisions and the cascade's hand-overs. All registered at once when the
 * pipeline is first seen, so a dashboard finds every series from its first scrape, zeros included.
 */
final class PipelineMeters {

    /** The draft length of the pipeline's last speculation decision; 0 until a round drafts. */
    private final AtomicInteger k = new AtomicInteger();
    final Timer queueTime;
    final Timer firstToken;
    final Timer interToken;
    final Counter escalations;
    final Counter deoptimisations;

    PipelineMeters(MeterRegistry registry, String pipeline) {
        Tags tags = Tags.of("pipeline", pipeline);
        Gauge.builder("specd_speculation_k", k, AtomicInteger::get)
                .description("Tokens the pipeline's last speculation round drafted (a cascade: its unverified run), "
                        + "or 0 when the adaptive policy turned speculation off")
                .tags(tags).strongReference(true).register(registry);
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
                .description("Times a request's adaptive policy turned speculation off (again after each re-probe)")
                .tags(tags).register(registry);
    }

    void k(int value) {
        k.set(value);
    }
}
