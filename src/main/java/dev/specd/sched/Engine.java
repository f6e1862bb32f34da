package dev.specd.sched;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.Embedder;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.adaptive.Calibration;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The serving unit: one per target model. It owns the target's context (one KV cache for all its
 * sequences), one context per draft model, the sequence slots, the admission queue and deadlines,
 * and the cost model; its presets ({@link Pipeline}s) share all of it. It has no thread of its own:
 * an {@link EngineDriver} calls {@link #turn()} — one thread for every engine of the process, so
 * that every llama.cpp decode comes from one thread (see {@link EngineDriver} for why).
 * <p>
 * Each turn ends the requests that were cancelled or ran out of time, admits waiting ones into
 * free sequence slots, and runs one speculation round of every running request: their draft steps
 * batched per draft model, then one verify batch for all of them, whatever their preset or mode
 * (continuous batching). See {@link EngineTurn}.
 */
public final class Engine {

    private static final Logger LOG = Logger.getLogger(Engine.class);
    /** After a request, how long an idle engine waits before it re-measures a disturbed calibration. */
    private static final long RECALIBRATE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final String id;
    private final boolean batchInvariant;
    private final TargetSpec spec;
    private final ModelBackend target;
    private final ModelContext context;
    /** One context per draft model, by the model's key. */
    private final Map<String, ModelContext> drafts;
    private final CostModel costs;
    /** The target's embedding context when the engine serves embeddings, else null. */
    private final Embedder embedder;
    private final Admission queue;
    private final TurnLedger ledger;
    private final Telemetry telemetry;
    private final List<Pipeline> pipelines = new ArrayList<>();
    private final EngineTurn turn;
    private EngineDriver driver;
    private volatile boolean ready;
    private final CountDownLatch readyLatch = new CountDownLatch(1);
    /** Set by {@link #drain}: no more submissions. */
    private volatile boolean draining;
    /** Set by {@link #drain} when its time is up: fail whatever is left. */
    private volatile boolean abandoning;
    private final CountDownLatch drained = new CountDownLatch(1);
    private long lastCalibration;

    /**
     * @param drafts one loaded model per draft model key its presets name; the caller keeps owning
     *               the models (and closes them after {@link #close()})
     * @param energy shared by all engines of the process, so that no joule is charged twice
     * @param clock  nanoseconds, as {@link System#nanoTime()}: tests pass one they move on themselves
     */
    public Engine(String id, TargetSpec spec, ModelBackend target, Map<String, ModelBackend> drafts,
                  SchedulerLimits limits, Telemetry telemetry, EnergyAccount energy, CostModel costs,
                  LongSupplier clock) {
        this(id, spec, target, drafts, limits, telemetry, energy, costs, clock, false);
    }

    /**
     * @param batchInvariant decode every sequence's step in a call of its own, with an F32 KV cache,
     *                       so that a request's logits do not depend on what else the engine runs
     *                       (greedy and seeded outputs independent of other traffic), at the price
     *                       of batching (see docs/speculation.md#determinism)
     */
    public Engine(String id, TargetSpec spec, ModelBackend target, Map<String, ModelBackend> drafts,
                  SchedulerLimits limits, Telemetry telemetry, EnergyAccount energy, CostModel costs,
                  LongSupplier clock, boolean batchInvariant) {
        this.id = id;
        this.batchInvariant = batchInvariant;
        this.spec = spec;
        this.target = target;
        this.telemetry = telemetry;
        this.costs = costs;
        // A verify batch of every sequence's k + 1 rows fits one llama_batch (larger ones are chunked).
        int batch = Math.max(512, spec.sequences() * 33);
        this.context = target.newContext(new ContextOptions(spec.contextLength(), spec.sequences(),
                Math.min(spec.contextLength(), batch), spec.threads(), batchInvariant));
        Map<String, ModelContext> d = new LinkedHashMap<>();
        try {
            for (var e : drafts.entrySet()) {
                // An F32 KV cache for drafts: their steps are batched across sequences, and with an F16
                // cache a draft's logits moved by ~4e-3 with the batch it shared, enough to flip a
                // sampled draft token now and then (2 of 60 seeded requests changed beside two
                // others; none with F32). A draft model's cache is small beside the target's.
                d.put(e.getKey(), e.getValue().newContext(new ContextOptions(spec.contextLength(), spec.sequences(),
                        Math.min(spec.contextLength(), 512), spec.threads(), true)));
            }
        } catch (RuntimeException e) {
            d.values().forEach(ModelContext::close);
            context.close();
            throw e;
        }
        this.drafts = Collections.unmodifiableMap(d);
        // Inputs up to OpenAI's 8192 tokens, or the engine's share per sequence if smaller.
        this.embedder = spec.embeddings()
                ? target.newEmbedder(Math.min(spec.contextLength() / spec.sequences(), 8192), spec.threads()) : null;
        this.queue = new Admission(id, limits, clock);
        this.ledger = new TurnLedger(id, telemetry, energy, clock);
        this.turn = new EngineTurn(this, queue, ledger, telemetry, costs);
    }

    /**
     * Adds a preset; all presets are added before the engine is driven.
     *
     * @param profile its acceptance profile over this engine's costs; null for a fresh one
     */
    public synchronized Pipeline addPipeline(ExecutionPlan plan, PipelineProfile profile) {
        if (driver != null) throw new IllegalStateException("engine " + id + " is already running");
        for (var d : plan.drafters()) {
            if (d instanceof dev.specd.plan.DraftPlan.Model m && !drafts.containsKey(m.model().key())) {
                throw new IllegalArgumentException("engine " + id + " has no context for draft model " + m.model().key());
            }
        }
        Pipeline p = new Pipeline(plan, this, profile != null ? profile
                : new PipelineProfile(plan.id(), "", costs, plan.draftModelKey()));
        pipelines.add(p);
        return p;
    }

    public String id() {
        return id;
    }

    public TargetSpec spec() {
        return spec;
    }

    public ModelBackend target() {
        return target;
    }

    public CostModel costs() {
        return costs;
    }

    Telemetry telemetry() {
        return telemetry;
    }

    boolean batchInvariant() {
        return batchInvariant;
    }

    /**
     * Pooled embeddings from the target, when the engine serves them. Each call runs on the driver
     * thread between turns: every decode of the process comes from that one thread.
     */
    public Optional<Embedder> embedder() {
        if (embedder == null) return Optional.empty();
        return Optional.of(new Embedder() {
            @Override
            public int dimensions() {
                return embedder.dimensions();
            }

            @Override
            public int maxTokens() {
                return embedder.maxTokens();
            }

            @Override
            public List<float[]> embed(List<int[]> inputs) {
                EngineDriver d = driver;
                return d == null ? embedder.embed(inputs) : d.call(() -> embedder.embed(inputs), requestTimeout());
            }

            @Override
            public void close() {
                // the engine's: closed with it
            }
        });
    }

    public synchronized List<Pipeline> pipelines() {
        return List.copyOf(pipelines);
    }

    ModelContext context() {
        return context;
    }

    ModelContext draftContext(String key) {
        ModelContext c = drafts.get(key);
        if (c == null) throw new IllegalStateException("engine " + id + " has no draft model " + key);
        return c;
    }

    Map<String, ModelContext> draftContexts() {
        return drafts;
    }

    public int runningSequences() {
        return turn.runningCount();
    }

    public int waitingRequests() {
        return queue.size();
    }

    public Duration requestTimeout() {
        return queue.requestTimeout();
    }

    /** Whether the engine has calibrated (when it needed to) and serves. */
    public boolean isReady() {
        return ready;
    }

    /** Waits until the engine serves; false on timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return readyLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void attach(EngineDriver d) {
        if (driver != null) throw new IllegalStateException("engine " + id + " is already driven");
        driver = d;
    }

    Submission submit(Pipeline pipeline, GenerationRequest request, GenerationSink sink) {
        if (draining) throw new ShuttingDownException(id);
        Job job = queue.newJob(request, sink, pipeline);
        queue.offer(job);
        EngineDriver d = driver;
        if (d != null) d.wake();
        return job;
    }

    /**
     * First thing on the driver thread: measures the cost model, when a preset's policy needs it and
     * no saved profile brought it. Engines calibrate one after another, with nothing else decoding.
     */
    void start() {
        try {
            // Drafter selection weighs drafts by the same measured costs.
            boolean adaptive = pipelines().stream().anyMatch(p -> p.plan().speculation().speculates()
                    && (p.plan().speculation().policy().policy() == SpeculationPolicy.ADAPTIVE
                    || p.plan().speculation().selection() == dev.specd.plan.DraftSelection.ADAPTIVE));
            if (adaptive && !costs.calibrated()) calibrate();
        } finally {
            ready = true;
            readyLatch.countDown();
        }
    }

    private void calibrate() {
        Calibration.runLogged(id, context, drafts, Math.max(0, target.vocab().bos()), costs);
        lastCalibration = System.nanoTime();
    }

    /**
     * One turn (driver thread).
     *
     * @return whether it did anything; false lets the driver wait for work
     */
    boolean turn() {
        if (abandoning) turn.failAll(new ShuttingDownException(id));
        boolean worked = turn.run(draining);
        if (draining && turn.runningCount() == 0 && queue.isEmpty()) drained.countDown();
        return worked;
    }

    /** Idle-time upkeep (driver thread): a calibration that online figures disagree with is measured again. */
    void idle() {
        if (turn.runningCount() > 0 || !queue.isEmpty() || !costs.calibrated()) return;
        if (System.nanoTime() - lastCalibration < RECALIBRATE_EVERY_NANOS || !costs.disagreesWithCalibration()) return;
        LOG.infof("engine %s: decode times moved more than %.0fx from the calibration; measuring again", id,
                2.0);
        calibrate();
    }

    /**
     * Graceful shutdown: refuses new requests from now on, lets the waiting and running ones finish
     * until {@code timeout}, then fails those left with {@link ShuttingDownException}.
     *
     * @return whether every request finished on its own
     */
    public boolean drain(Duration timeout) {
        draining = true;
        EngineDriver d = driver;
        if (d != null) d.wake();
        try {
            if (drained.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) return true;
            int left = turn.runningCount() + queue.size();
            abandoning = true;
            if (d != null) d.wake();
            if (!drained.await(10, TimeUnit.SECONDS)) {
                LOG.warnf("engine %s: the driver did not end its requests within 10 s", id);
            }
            LOG.warnf("engine %s: drain timeout %s reached; ended %d unfinished requests", id, timeout, left);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoning = true;
            return false;
        }
    }

    boolean isDraining() {
        return draining;
    }

    /**
     * Frees the contexts. Only once no driver uses the engine any more ({@link EngineDriver#remove});
     * requests still held fail. The models stay with whoever loaded them.
     */
    public void close() {
        turn.failAll(new ShuttingDownException(id));
        if (embedder != null) embedder.close();
        context.close();
        drafts.values().forEach(ModelContext::close);
    }

    @Override
    public String toString() {
        return "engine " + id;
    }
}
