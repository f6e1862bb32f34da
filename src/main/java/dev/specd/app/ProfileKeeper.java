package dev.specd.app;

import dev.specd.engine.CacheDirs;
import dev.specd.plan.ExecutionPlan;
import dev.specd.runtime.PipelineProfile;
import dev.specd.runtime.ProfileStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Profile-guided start: each pipeline's profile is loaded before its engine starts (so its
 * policies are warm and it skips calibration), saved every {@code specd.profiles.save-interval}
 * while serving (a crash loses little), and saved once more on shutdown.
 */
@ApplicationScoped
public class ProfileKeeper {

    private static final Logger LOG = Logger.getLogger(ProfileKeeper.class);

    @Inject
    SpecdConfig config;

    private final List<PipelineProfile> profiles = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService saver;
    private ProfileStore store;

    /** The pipeline's saved profile, or a fresh one; either way kept for saving from now on. */
    PipelineProfile open(ExecutionPlan plan) {
        PipelineProfile profile = new PipelineProfile(plan.id(), ProfileStore.planKey(plan));
        if (config.profiles().enabled()) {
            store().load(plan).ifPresent(data -> {
                profile.restore(data);
                LOG.infof("pipeline %s: warm start from profile %s (%d rounds)", plan.id(), store().file(plan.id()),
                        data.rounds());
            });
        }
        profiles.add(profile);
        return profile;
    }

    /** Starts the periodic saving; called once every pipeline is open. */
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
        ProfileStore store = store();
        for (PipelineProfile p : profiles) {
            if (p.rounds() == 0 && !p.calibrated()) continue; // nothing learnt: keep whatever was saved before
            try {
                store.save(p.snapshot());
            } catch (RuntimeException e) {
                LOG.warnf("saving the profile of pipeline %s failed: %s", p.pipeline(), e.getMessage());
            }
        }
    }

    private synchronized ProfileStore store() {
        if (store == null) store = new ProfileStore(config.profiles().dir().map(Path::of).orElse(CacheDirs.profilesDir()));
        return store;
    }
}
