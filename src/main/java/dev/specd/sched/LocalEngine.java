package dev.specd.sched;

import dev.specd.engine.ModelBackend;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One engine on a driver of its own, with its presets: what tools and tests run in-process (the
 * server shares one driver between all its engines). Closing it stops the driver, frees the
 * contexts, and closes the models it was given to own.
 */
public final class LocalEngine implements AutoCloseable {

    private final EngineDriver driver;
    private final Engine engine;
    private final List<Pipeline> pipelines;
    private final List<ModelBackend> owned;

    private LocalEngine(EngineDriver driver, Engine engine, List<Pipeline> pipelines, List<ModelBackend> owned) {
        this.driver = driver;
        this.engine = engine;
        this.pipelines = List.copyOf(pipelines);
        this.owned = List.copyOf(owned);
    }

    public static Builder builder(ModelBackend target, TargetSpec spec) {
        return new Builder(target, spec);
    }

    public Engine engine() {
        return engine;
    }

    /** The first preset. */
    public Pipeline pipeline() {
        return pipelines.getFirst();
    }

    public Pipeline pipeline(String id) {
        return pipelines.stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pipeline " + id));
    }

    public List<Pipeline> pipelines() {
        return pipelines;
    }

    /** {@link Engine#drain}: lets what was taken finish, refuses the rest. */
    public boolean drain(Duration timeout) {
        return engine.drain(timeout);
    }

    @Override
    public void close() {
        boolean removed = driver.remove(engine, Duration.ofSeconds(30));
        driver.close();
        if (!removed && !driver.stopped()) return; // stuck in a decode: freeing now could crash the process
        engine.close();
        for (ModelBackend m : owned) m.close();
    }

    /** How to start a {@link LocalEngine}. */
    public static final class Builder {
        private final ModelBackend target;
        private final TargetSpec spec;
        private final Map<String, ModelBackend> drafts = new LinkedHashMap<>();
        private final List<ExecutionPlan> plans = new ArrayList<>();
        private final List<PipelineProfile> profiles = new ArrayList<>();
        private final List<ModelBackend> owned = new ArrayList<>();
        private SchedulerLimits limits = SchedulerLimits.DEFAULT;
        private Telemetry telemetry = Telemetry.NONE;
        private EnergyAccount energy = EnergyAccount.unmetered();
        private LongSupplier clock = System::nanoTime;
        private CostModel costs = new CostModel();
        private boolean batchInvariant;

        private Builder(ModelBackend target, TargetSpec spec) {
            this.target = target;
            this.spec = spec;
        }

        /** A draft model under the key its presets' plans name it by ({@code ModelRef.key()}). */
        public Builder draft(String key, ModelBackend model) {
            drafts.put(key, model);
            return this;
        }

        /** A preset with a fresh profile. */
        public Builder pipeline(ExecutionPlan plan) {
            return pipeline(plan, null);
        }

        /** A preset with the given profile (null: a fresh one on the engine's cost model). */
        public Builder pipeline(ExecutionPlan plan, PipelineProfile profile) {
            plans.add(plan);
            profiles.add(profile);
            return this;
        }

        public Builder limits(SchedulerLimits l) {
            limits = l;
            return this;
        }

        public Builder telemetry(Telemetry t) {
            telemetry = t;
            return this;
        }

        public Builder energy(EnergyAccount e) {
            energy = e;
            return this;
        }

        public Builder clock(LongSupplier c) {
            clock = c;
            return this;
        }

        public Builder costs(CostModel c) {
            costs = c;
            return this;
        }

        /** Each sequence decoded alone, with an F32 KV cache (see {@link Engine}). */
        public Builder batchInvariant(boolean on) {
            batchInvariant = on;
            return this;
        }

        /** The target and the draft models are closed with the engine. */
        public Builder ownModels() {
            owned.add(target);
            owned.addAll(drafts.values());
            return this;
        }

        /** Starts the engine on its own driver; calibration (if a preset needs it) runs before it serves. */
        public LocalEngine start() {
            String id = plans.isEmpty() ? "engine" : plans.getFirst().id();
            Engine engine = new Engine(id, spec, target, drafts, limits, telemetry, energy, costs, clock, batchInvariant);
            List<Pipeline> pipelines = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) {
                ExecutionPlan plan = plans.get(i);
                pipelines.add(engine.addPipeline(plan, profiles.get(i)));
            }
            EngineDriver driver = EngineDriver.start("specd-engine-" + id);
            driver.add(engine);
            try {
                if (!engine.awaitReady(Duration.ofMinutes(5))) throw new IllegalStateException("engine " + id + " did not start");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while engine " + id + " started", e);
            }
            return new LocalEngine(driver, engine, pipelines, owned);
        }
    }
}
