package dev.specd.app;

import dev.specd.engine.LoadOptions;
import dev.specd.models.ModelResolver;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.TargetSpec;
import dev.specd.plan.VocabularyCheck;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sched.Engine;
import dev.specd.sched.EngineDriver;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerLimits;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engines a server runs, built from its compiled plans: one engine per distinct target (the
 * plans that name it become its presets), every model loaded once through the {@link ModelPool},
 * every engine turned by one {@link EngineDriver}. Closing it stops the driver, frees the contexts
 * and gives the models back.
 */
final class Serving implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Serving.class);

    private final EngineDriver driver;
    private final List<Engine> engines = new ArrayList<>();
    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<ModelPool.Lease> leases = new ArrayList<>();

    private Serving(EngineDriver driver) {
        this.driver = driver;
    }

    /** What the engines need besides their plans. */
    record Setup(ModelResolver resolver, ModelPool pool, SchedulerLimits limits, Telemetry telemetry,
                 EnergyAccount energy, ProfileSource profiles, boolean batchInvariant) {

        Setup(ModelResolver resolver, ModelPool pool, SchedulerLimits limits, Telemetry telemetry, EnergyAccount energy,
              ProfileSource profiles) {
            this(resolver, pool, limits, telemetry, energy, profiles, false);
        }
    }

    /**
     * Loads and starts every engine; a failure (a model that cannot be loaded, vocabularies that
     * do not match) closes what was started and fails naming the file.
     *
     * @param plans in configured order; the first plan's pipeline is the default
     */
    static Serving start(List<ExecutionPlan> plans, Setup setup) {
        Serving serving = new Serving(EngineDriver.start("specd-engine"));
        try {
            for (List<ExecutionPlan> group : byTarget(plans)) serving.startEngine(group, setup);
            return serving;
        } catch (RuntimeException e) {
            serving.close();
            throw e;
        }
    }

    /** Plans grouped by target (same weights, same engine), in order of first appearance. */
    private static List<List<ExecutionPlan>> byTarget(List<ExecutionPlan> plans) {
        List<List<ExecutionPlan>> groups = new ArrayList<>();
        outer:
        for (ExecutionPlan p : plans) {
            for (List<ExecutionPlan> g : groups) {
                if (ModelRef.sameModel(g.getFirst().target().model(), p.target().model())) {
                    g.add(p);
                    continue outer;
                }
            }
            groups.add(new ArrayList<>(List.of(p)));
        }
        return groups;
    }

    private void startEngine(List<ExecutionPlan> presets, Setup setup) {
        ExecutionPlan first = presets.getFirst();
        TargetSpec spec = first.target();
        LoadOptions options = new LoadOptions(spec.gpuLayers(), true);
        ModelPool.Lease target = lease(setup, spec.model(), options, "target");
        Map<String, dev.specd.engine.ModelBackend> drafts = new LinkedHashMap<>();
        for (ExecutionPlan p : presets) {
            for (DraftPlan d : p.drafters()) {
                if (!(d instanceof DraftPlan.Model m) || drafts.containsKey(m.model().key())) continue;
                ModelPool.Lease draft = lease(setup, m.model(), options, "draft");
                VocabularyCheck.check(target.model().vocab(), draft.model().vocab(), p.source());
                drafts.put(m.model().key(), draft.model());
            }
        }
        String id = EngineNames.of(spec.model());
        CostModel costs = setup.profiles().openEngine(id, ProfileStore.engineKey(spec, drafts.keySet()));
        Engine engine = new Engine(id, spec, target.model(), drafts, setup.limits(), setup.telemetry(),
                setup.energy(), costs, System::nanoTime, setup.batchInvariant());
        engines.add(engine);
        setup.telemetry().engineStarted(id, spec.sequences(), setup.limits().queueCapacity(), spec.contextLength());
        for (ExecutionPlan p : presets) {
            pipelines.add(engine.addPipeline(p, setup.profiles().openPreset(id, p, costs)));
            setup.telemetry().pipelineStarted(p.id(), id, PipelineModes.draftPositions(p), PipelineModes.of(p));
        }
        driver.add(engine);
        LOG.infof("engine %s: target %s, %d sequences, %d cells; presets %s", id, spec.model().describe(),
                spec.sequences(), spec.contextLength(), presets.stream().map(ExecutionPlan::id).toList());
    }

    private ModelPool.Lease lease(Setup setup, ModelRef ref, LoadOptions options, String role) {
        ModelPool.Lease lease = setup.pool().acquire(setup.resolver().resolve(ref), options, role);
        leases.add(lease);
        return lease;
    }

    /** Waits until every engine serves (calibrated, one after another, on the driver). */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Engine e : engines) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!e.awaitReady(Duration.ofNanos(left))) {
                throw new IllegalStateException("engine " + e.id() + " did not start within " + timeout);
            }
        }
    }

    List<Pipeline> pipelines() {
        return List.copyOf(pipelines);
    }

    List<Engine> engines() {
        return List.copyOf(engines);
    }

    /**
     * Stops the driver, then frees what it used. An engine the driver could not let go of in time
     * (stuck inside a decode) is not freed: freeing memory a native call still uses would end the
     * process.
     */
    @Override
    public void close() {
        boolean released = true;
        for (Engine e : engines) released &= driver.remove(e, Duration.ofSeconds(10));
        driver.close();
        if (!released && !driver.stopped()) {
            LOG.warn("the engine driver is stuck in a native call; models are not freed");
            return;
        }
        for (Engine e : engines) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warnf(ex, "closing engine %s failed", e.id());
            }
        }
        for (ModelPool.Lease l : leases) l.close();
        engines.clear();
        pipelines.clear();
        leases.clear();
    }
}
