package dev.specd.metrics;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.adaptive.RoundRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one pipeline running in one mode: request counts, tokens, end-to-end latencies,
 * energy, and — unless the mode is off — the speculative-decoding counters, named and counted as
 * vLLM's ({@code num_drafts}: rounds that drafted; {@code num_draft_tokens}; {@code num_accepted_tokens};
 * {@code num_accepted_tokens_per_pos} by 0-based draft position), so vLLM dashboards carry over.
 */
final class ModeMeters {

    private final MeterRegistry registry;
    private final Tags tags;
    final Timer e2e;
    final Timer perOutputToken;
    final Counter promptTokens;
    final Counter generationTokens;
    /** Emitted tokens the target checked or produced, and those only the draft model vouched for (cascade). */
    final Counter verifiedTokens;
    final Counter unverifiedTokens;
    /** Null when the mode is off: no speculation, no spec-decode series. */
    private final Counter drafts;
    private final Counter draftTokens;
    private final Counter acceptedTokens;
    private final ConcurrentMap<Integer, Counter> acceptedAt = new ConcurrentHashMap<>();
    private final ConcurrentMap<FinishReason, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Energy> energy = new ConcurrentHashMap<>();

    ModeMeters(MeterRegistry registry, String pipeline, SpeculationMode mode) {
        this.registry = registry;
        this.tags = Tags.of("pipeline", pipeline, "mode", mode.wireName());
        e2e = Buckets.latency(registry, "specd_e2e_request_latency", "From entering the queue to the end", tags);
        perOutputToken = Buckets.latency(registry, "specd_time_per_output_token",
                "Per request: (end-to-end - time to first token) / (generated tokens - 1)", tags);
        promptTokens = counter("specd_prompt_tokens", "Prompt tokens of ended requests");
        generationTokens = counter("specd_generation_tokens", "Tokens generated (usage.completion_tokens)");
        verifiedTokens = counter("specd_verified_tokens", "Generated tokens the target checked or produced");
        unverifiedTokens = counter("specd_unverified_tokens",
                "Generated tokens only the draft model vouched for (a cascade's confident runs)");
        if (mode == SpeculationMode.OFF) {
            drafts = draftTokens = acceptedTokens = null;
        } else {
            drafts = counter("specd_spec_decode_num_drafts", "Speculation rounds that drafted tokens");
            draftTokens = counter("specd_spec_decode_num_draft_tokens", "Tokens drafted");
            acceptedTokens = counter("specd_spec_decode_num_accepted_tokens", "Drafted tokens the target accepted");
        }
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /**
     * Creates the series a request may feed, at zero: every finish reason, draft positions
     * 0..{@code positions} - 1 (speculative modes only) and the energy of {@code energySource}
     * (none when null), so that the first request's counts are an increase Prometheus sees.
     */
    void precreate(int positions, String energySource) {
        for (FinishReason r : FinishReason.values()) requests(r);
        if (drafts != null) {
            for (int i = 0; i < positions; i++) acceptedAt(i);
        }
        if (energySource != null) energy.computeIfAbsent(energySource, Energy::new);
    }

    void round(RoundRecord round) {
        if (drafts == null || round.drafted() == 0) return;
        drafts.increment();
        draftTokens.increment(round.drafted());
        acceptedTokens.increment(round.accepted());
        // Accepted drafts are a prefix: positions 0..accepted-1. Every drafted position gets its
        // series, so a position never accepted shows as 0 rather than missing.
        for (int i = 0; i < round.drafted(); i++) {
            Counter at = acceptedAt(i);
            if (i < round.accepted()) at.increment();
        }
    }

    private Counter acceptedAt(int position) {
        return acceptedAt.computeIfAbsent(position, p -> Counter.builder("specd_spec_decode_num_accepted_tokens_per_pos")
                .description("Drafted tokens accepted, by 0-based position in the draft")
                .tags(tags.and("position", Integer.toString(p))).register(registry));
    }

    void finished(FinishReason reason) {
        requests(reason).increment();
    }

    private Counter requests(FinishReason reason) {
        return requests.computeIfAbsent(reason, r -> Counter.builder("specd_requests")
                .description("Ended requests, by finish reason").tags(tags.and("finish_reason", r.openAi()))
                .register(registry));
    }

    void energy(double joules, int tokens, String source) {
        energy.computeIfAbsent(source, Energy::new).add(joules, tokens);
    }

    /** The joules of one meter source: a counter, and the lifetime joules per generated token. */
    private final class Energy {
        private final Counter joules;
        private final LongAdder tokens = new LongAdder();

        Energy(String source) {
            Tags withSource = tags.and("source", source);
            joules = Counter.builder("specd_energy_joules").description("Energy charged to ended requests")
                    .tags(withSource).register(registry);
            Gauge.builder("specd_energy_joules_per_token", this, Energy::perToken)
                    .description("Joules per generated token since start (for a window: the ratio of the counters' rates)")
                    .tags(withSource).strongReference(true).register(registry);
        }

        void add(double j, int t) {
            joules.increment(j);
            tokens.add(t);
        }

        double perToken() {
            long t = tokens.sum();
            return t == 0 ? Double.NaN : joules.count() / t;
        }
    }
}
