package dev.specd.app;

import dev.specd.engine.CacheDirs;
import dev.specd.plan.ExecutionPlan;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.PipelineProfile;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Profile-guided start: each engine's costs and each preset's acceptance profile are loaded before
 * the engine starts (so its policies are warm and it skips calibration), saved every
 * {@code specd.profiles.save-interval} while serving (a crash loses little), and saved once more on
 * shutdown.
 */
@ApplicationScoped
public class ProfileKeeper implements ProfileSource {

    private static final Logger LOG = Logger.getLogger(ProfileKeeper.class);

    private record EngineEntry(String engine, String key, CostModel costs) {
    }

    private record PresetEntry(String engine, PipelineProfile profile) {
    }

    private final SpecdConfig config;
    private final List<EngineEntry> engines = new CopyOnWriteArrayList<>();
    private final List<PresetEntry> presets = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService saver;
    private ProfileStore store;

    public ProfileKeeper(SpecdConfig config) {
        this.config = config;
    }

    /** The engine's saved costs, or a fresh model; either way kept for saving from now on. */
    @Override
    public CostModel openEngine(String engine, String key) {
        CostModel costs = new CostModel();
        if (config.profiles().enabled()) {
            store().loadEngine(engine, key).ifPresent(data -> {
                costs.restore(data);
                LOG.infof("engine %s: warm start from %s (%d decodes measured; no calibration needed)", engine,
                        store().engineFile(engine), data.observations());
            });
        }
        engines.add(new EngineEntry(engine, key, costs));
        return costs;
    }

    /** The preset's saved profile, or a fresh one; either way kept for saving from now on. */
    @Override
    public PipelineProfile openPreset(String engine, ExecutionPlan plan, CostModel costs) {
        String key = ProfileStore.presetKey(plan);
        PipelineProfile profile = new PipelineProfile(plan.id(), key, costs, plan.draftModelKey());
        if (config.profiles().enabled()) {
            store().loadPreset(engine, plan.id(), key).ifPresent(data -> {
                profile.restore(data);
                LOG.infof("pipeline %s: warm start from profile %s (%d rounds)", plan.id(),
                        store().presetFile(engine, plan.id()), data.rounds());
            });
        }
        presets.add(new PresetEntry(engine, profile));
        return profile;
    }

    /** Starts the periodic saving; called once every engine is open. */
    synchronized void startSaving() {
        if (!config.profiles().enabled() || saver != null) return;
        long every = Math.max(1, config.profiles().saveInterval().toMillis());
        saver = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("specd-profile-saver").daemon(true)
                .factory());
        saver.scheduleWithFixedDelay(this::saveAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops the periodic saving and saves every profile one last time. */
    void stop() {
        ScheduledExecutorService running;
        synchronized (this) {
            running = saver;
            saver = null;
        }
        if (running != null) {
            // Let a periodic save that is under way finish first: it must not overwrite the final
            // one. Waited for outside the lock, which that save may need.
            running.shutdown();
            try {
                if (!running.awaitTermination(10, TimeUnit.SECONDS)) running.shutdownNow();
            } catch (InterruptedException e) {
                running.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (config.profiles().enabled()) saveAll();
    }

    private void saveAll() {
        ProfileStore s = store();
        for (EngineEntry e : engines) {
            if (!e.costs().calibrated()) continue; // nothing learnt: keep whatever was saved before
            try {
                s.saveEngine(e.costs().snapshot(e.engine(), e.key()));
            } catch (RuntimeException ex) {
                LOG.warnf("saving the costs of engine %s failed: %s", e.engine(), ex.getMessage());
            }
        }
        for (PresetEntry p : presets) {
            if (p.profile().rounds() == 0) continue;
            try {
                s.savePreset(p.engine(), p.profile().snapshot());
            } catch (RuntimeException ex) {
                LOG.warnf("saving the profile of pipeline %s failed: %s", p.profile().pipeline(), ex.getMessage());
            }
        }
    }

    synchronized ProfileStore store() {
        if (store == null) store = new ProfileStore(config.profiles().dir().map(Path::of).orElse(CacheDirs.of(config.cacheDir()).profilesDir()));
        return store;
    }
}
