package dev.specd.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * The latency histograms' buckets: fixed ones from 1 ms to 60 s, like vLLM's, so that a dashboard's
 * {@code histogram_quantile} works on every series alike. Fixed buckets rather than Micrometer's
 * percentile histogram, which would publish ~70 buckets per series over the same range.
 */
final class Buckets {

    private static final Duration[] LATENCY = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private Buckets() {
    }

    /** A latency histogram (Prometheus adds {@code _seconds} to its name). */
    static Timer latency(MeterRegistry registry, String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY)
                .minimumExpectedValue(LATENCY[0]).maximumExpectedValue(LATENCY[LATENCY.length - 1])
                .register(registry);
    }
}
