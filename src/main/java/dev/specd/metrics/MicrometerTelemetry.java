package dev.specd.metrics;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.RoundRecord;
import dev.specd.runtime.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The server's telemetry as Micrometer meters, scraped by Prometheus at {@code /q/metrics}. Every
 * series is labelled with its {@code pipeline}, and with the {@code mode} a request ran in where
 * one applies; the README's "Metrics" section lists them with their PromQL. Meters are looked up
 * once per pipeline and mode and kept, since engine threads call this for every round.
 */
@ApplicationScoped
public class MicrometerTelemetry implements Telemetry {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, PipelineMeters> pipelines = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, ModeMeters> modes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> idle = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> models = new ConcurrentHashMap<>();

    private record Key(String pipeline, SpeculationMode mode) {
    }

    @Inject
    public MicrometerTelemetry(MeterRegistry registry) {
        this.registry = registry;
    }

    private PipelineMeters pipeline(String id) {
        return pipelines.computeIfAbsent(id, p -> new PipelineMeters(registry, p));
    }

    private ModeMeters mode(String pipeline, SpeculationMode mode) {
        return modes.computeIfAbsent(new Key(pipeline, mode), k -> {
            pipeline(k.pipeline()); // a pipeline's gauges exist as soon as any of its series does
            return new ModeMeters(registry, k.pipeline(), k.mode());
        });
    }

    @Override
    public void admitted(String pipeline, long queueWaitNanos) {
        pipeline(pipeline).queueTime.record(queueWaitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void firstToken(String pipeline, long nanos) {
        pipeline(pipeline).firstToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void interToken(String pipeline, long nanos) {
        pipeline(pipeline).interToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void finished(String pipeline, RequestOutcome outcome) {
        ModeMeters m = mode(pipeline, outcome.mode());
        m.finished(outcome.reason());
        m.promptTokens.increment(outcome.promptTokens());
        m.generationTokens.increment(outcome.completionTokens());
        m.e2e.record(outcome.e2eNanos(), TimeUnit.NANOSECONDS);
        // vLLM's time per output token: the decode phase alone, per token after the first.
        if (outcome.firstTokenNanos() >= 0 && outcome.completionTokens() > 1) {
            long decode = Math.max(0, outcome.e2eNanos() - outcome.firstTokenNanos());
            m.perOutputToken.record(decode / (outcome.completionTokens() - 1), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void round(String pipeline, SpeculationMode mode, RoundRecord round) {
        mode(pipeline, mode).round(round);
    }

    @Override
    public void escalation(String pipeline) {
        pipeline(pipeline).escalations.increment();
    }

    @Override
    public void deoptimised(String pipeline) {
        pipeline(pipeline).deoptimisations.increment();
    }

    @Override
    public void chosenK(String pipeline, int k) {
        pipeline(pipeline).chosenK(k);
    }

    @Override
    public void turn(String pipeline, int running, int waiting, int batchRows, int kvCells) {
        PipelineMeters p = pipeline(pipeline);
        p.running.set(running);
        p.waiting.set(waiting);
        p.batchRows.set(batchRows);
        p.kvCells.set(kvCells);
    }

    @Override
    public void energy(String pipeline, SpeculationMode mode, double joules, int completionTokens, String source) {
        mode(pipeline, mode).energy(joules, completionTokens, source);
    }

    @Override
    public void modelsLoaded(String file, int copies) {
        models.computeIfAbsent(file, f -> {
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            io.micrometer.core.instrument.Gauge.builder("specd_models_loaded", n, java.util.concurrent.atomic.AtomicInteger::get)
                    .description("Loaded copies of a model file: 1 once every engine that uses it shares it")
                    .tag("model", f).strongReference(true).register(registry);
            return n;
        }).set(copies);
    }

    @Override
    public void idleEnergy(double joules, String source) {
        // Idle joules belong to no pipeline: labelled by their source alone.
        idle.computeIfAbsent(source, s -> Counter.builder("specd_energy_idle_joules")
                .description("Energy used while no engine loop had work, charged to no request")
                .tag("source", s).register(registry)).increment(joules);
    }
}
