package dev.specd.metrics;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.EnergySource;
import dev.specd.runtime.observe.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The server's telemetry as Micrometer meters, scraped by Prometheus at {@code /q/metrics}.
 * Request-level series are labelled with their {@code pipeline} (what the request's {@code model}
 * names), and with the {@code mode} it ran in where one applies; an engine's gauges with its
 * {@code engine}; idle energy with its source alone. The README's "Metrics" section lists them with
 * their PromQL. Meters are looked up once and kept, since engine threads call this for every round;
 * a started pipeline's series are created at once, at zero.
 */
@ApplicationScoped
public class MicrometerTelemetry implements Telemetry {

    private final MeterRegistry registry;
    /** The energy meter's name, to create the energy series up front; null when unknown (tests). */
    private final String energySource;
    private final LongSupplier clock;
    private final ConcurrentMap<String, EngineMeters> engines = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, PipelineMeters> pipelines = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, ModeMeters> modes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> idle = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> models = new ConcurrentHashMap<>();

    private final ConcurrentMap<DrafterKey, DrafterMeters> drafters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, long[]> suffixTrees = new ConcurrentHashMap<>();

    private record Key(String pipeline, SpeculationMode mode) {
    }

    private record DrafterKey(String pipeline, String drafter) {
    }

    @Inject
    public MicrometerTelemetry(MeterRegistry registry, Instance<EnergySource> energy) {
        this(registry, energy.isResolvable() ? energy.get().name() : null, System::nanoTime);
    }

    /** Meters on {@code registry} that learn the energy source from the first energy reported. */
    public MicrometerTelemetry(MeterRegistry registry) {
        this(registry, null, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()}, for the engines' heartbeats */
    MicrometerTelemetry(MeterRegistry registry, String energySource, LongSupplier clock) {
        this.registry = registry;
        this.energySource = energySource;
        this.clock = clock;
    }

    private EngineMeters engine(String id) {
        return engines.computeIfAbsent(id, e -> new EngineMeters(registry, e, clock));
    }

    private PipelineMeters pipeline(String id) {
        return pipelines.computeIfAbsent(id, p -> new PipelineMeters(registry, p));
    }

    private ModeMeters mode(String pipeline, SpeculationMode mode) {
        return modes.computeIfAbsent(new Key(pipeline, mode), k -> {
            pipeline(k.pipeline()); // a pipeline's mode-less series exist as soon as any of its series does
            return new ModeMeters(registry, k.pipeline(), k.mode());
        });
    }

    /**
     * The engines whose thread has not finished a turn for longer than {@code limit}, with the time
     * since their last one: the liveness check's input.
     */
    public Map<String, Duration> stalledEngines(Duration limit) {
        Map<String, Duration> stalled = new TreeMap<>();
        engines.forEach((id, e) -> {
            Duration age = Duration.ofNanos((long) (e.turnAgeSeconds() * 1e9));
            if (age.compareTo(limit) > 0) stalled.put(id, age);
        });
        return stalled;
    }

    @Override
    public void engineStarted(String engine, int sequences, int queueCapacity, int kvCells) {
        engine(engine).capacity(sequences, queueCapacity, kvCells);
    }

    @Override
    public void pipelineStarted(String pipeline, String engine, int maxDraftPositions, Set<SpeculationMode> modes) {
        engine(engine);
        pipeline(pipeline);
        // Which engine serves which pipeline: dashboards join request-level and engine-level series on it.
        Gauge.builder("specd_pipeline_info", () -> 1).description("1 for each pipeline, labelled with its engine")
                .tags("pipeline", pipeline, "engine", engine).strongReference(true).register(registry);
        for (SpeculationMode m : modes) mode(pipeline, m).precreate(maxDraftPositions, energySource);
        if (energySource != null) idle(energySource);
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
        if (outcome.speculation() != null) {
            m.verifiedTokens.increment(outcome.speculation().verifiedTokens());
            m.unverifiedTokens.increment(outcome.speculation().unverifiedTokens());
        }
        // vLLM's time per output token: the decode phase alone, per token after the first.
        if (outcome.firstTokenNanos() >= 0 && outcome.completionTokens() > 1) {
            long decode = Math.max(0, outcome.e2eNanos() - outcome.firstTokenNanos());
            m.perOutputToken.record(decode / (outcome.completionTokens() - 1), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Also the draft length gauge: every policy and the cascade draft rounds, while only the
     * adaptive policy reports its choices ({@link #chosenK}), so the rounds are what every mode shares.
     */
    @Override
    public void round(String pipeline, SpeculationMode mode, RoundRecord round) {
        mode(pipeline, mode).round(round);
        if (round.drafted() > 0) pipeline(pipeline).k(round.drafted());
        DrafterMeters d = drafters.computeIfAbsent(new DrafterKey(pipeline, round.drafter()),
                k -> new DrafterMeters(registry, k.pipeline(), k.drafter()));
        d.rounds.increment();
        d.drafted.increment(round.drafted());
        d.accepted.increment(round.accepted());
        d.deferred.increment(round.deferred());
    }

    /** The suffix tree's size as gauges: nodes, bytes and requests held. */
    @Override
    public void suffixTree(String pipeline, int nodes, long bytes, int sequences) {
        long[] v = suffixTrees.computeIfAbsent(pipeline, p -> {
            long[] cell = new long[3];
            Gauge.builder("specd_suffix_tree_nodes", cell, c -> c[0]).description("Nodes of the preset's suffix tree "
                    + "over earlier requests").tag("pipeline", p).strongReference(true).register(registry);
            Gauge.builder("specd_suffix_tree_bytes", cell, c -> c[1]).description("Memory of the preset's suffix tree")
                    .baseUnit("bytes").tag("pipeline", p).strongReference(true).register(registry);
            Gauge.builder("specd_suffix_tree_requests", cell, c -> c[2])
                    .description("Earlier requests the preset's suffix tree holds").tag("pipeline", p)
                    .strongReference(true).register(registry);
            return cell;
        });
        v[0] = nodes;
        v[1] = bytes;
        v[2] = sequences;
    }

    @Override
    public void escalation(String pipeline) {
        pipeline(pipeline).escalations.increment();
    }

    @Override
    public void deoptimised(String pipeline) {
        pipeline(pipeline).deoptimisations.increment();
    }

    /** Only the adaptive policy's k = 0 matters here: it drafts no round that would report it. */
    @Override
    public void chosenK(String pipeline, int k) {
        if (k == 0) pipeline(pipeline).k(0);
    }

    @Override
    public void turn(String engine, int running, int waiting, int batchRows, int kvCells) {
        engine(engine).turn(running, waiting, batchRows, kvCells);
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
        idle(source).increment(joules);
    }

    /** Idle joules belong to no pipeline nor engine: labelled by their source alone. */
    private Counter idle(String source) {
        return idle.computeIfAbsent(source, s -> Counter.builder("specd_energy_idle_joules")
                .description("Energy used while no engine loop had work, charged to no request")
                .tag("source", s).register(registry));
    }
}
