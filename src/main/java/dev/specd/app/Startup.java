package dev.specd.app;

import dev.specd.engine.CacheDirs;
import dev.specd.engine.llamacpp.NativeLibrary;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PipelineCompiler;
import dev.specd.plan.PipelineSpec;
import dev.specd.runtime.EnergyAccount;
import dev.specd.runtime.EnergySource;
import dev.specd.runtime.Telemetry;
import dev.specd.sched.EngineLoop;
import dev.specd.sched.PipelineRegistry;
import dev.specd.sched.SchedulerLimits;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Loads every pipeline before the server takes requests. Any failure — a spec error, a model file
 * that is missing, fails its checksum or is rejected by llama.cpp — fails start-up with a message
 * naming the file, instead of a server that answers errors forever.
 */
@ApplicationScoped
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    @Inject
    SpecdConfig config;

    @Inject
    PipelineRegistry registry;

    @Inject
    ProfileKeeper profiles;

    @Inject
    Telemetry telemetry;

    @Inject
    EnergySource energySource;

    /** Stops admission the moment SIGTERM / SIGINT arrive; null where the JVM does not let us. */
    private TermSignal term;
    private TermSignal interrupt;

    void onStart(@Observes StartupEvent event) {
        // Named like the config keys they carry: a second Quarkus start in the same JVM (tests) reads
        // system properties as config, and an unmapped specd.* key would fail its validation.
        config.engine().library().ifPresent(lib -> System.setProperty(NativeLibrary.PATH_PROPERTY, lib));
        config.cacheDir().ifPresent(dir -> System.setProperty(CacheDirs.PROPERTY, dir));
        try {
            SchedulerLimits limits = new SchedulerLimits(config.scheduler().queueCapacity(),
                    config.scheduler().requestTimeout());
            List<PipelineSpec> specs = PipelineSources.load(config.pipelines());
            // One account for all pipelines: the meter is process-wide, each joule is charged once.
            EnergyAccount energy = new EnergyAccount(energySource);
            ModelResolver resolver = new ModelResolver(modelDirs(), CacheDirs.root(), config.download(), Forge::forge,
                    "forge-v" + Forge.VERSION);
            for (PipelineSpec spec : specs) {
                ExecutionPlan plan = PipelineCompiler.compile(spec);
                if (plan.threads() == 0 && config.engine().threads() > 0) {
                    plan = plan.withThreads(config.engine().threads());
                }
                PipelineLoader.Models models = PipelineLoader.load(plan, resolver);
                registry.register(new EngineLoop(plan, models.target(), models.drafts(), limits,
                        telemetry, energy, profiles.open(plan)));
            }
            profiles.startSaving();
            registry.markReady();
            term = TermSignal.install("TERM", registry::stopAdmitting);
            interrupt = TermSignal.install("INT", registry::stopAdmitting);
            LOG.infof("serving pipelines %s (default: %s)", registry.all().stream().map(e -> e.plan().id()).toList(),
                    registry.all().getFirst().plan().id());
        } catch (RuntimeException e) {
            registry.markFailed(e.getMessage());
            registry.closeAll();
            LOG.error("start-up failed: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Graceful shutdown, stage one, in Quarkus' pre-shutdown (fired because
     * quarkus.shutdown.delay-enabled is set; it comes before the HTTP server's own graceful
     * wait, which still takes new requests): refuse new requests with 503, let those already taken
     * finish up to the drain timeout, end the rest.
     */
    void onShutdownBegins(@Observes ShutdownDelayInitiatedEvent event) {
        registry.drain(config.scheduler().drainTimeout());
    }

    /**
     * Stage three, after the HTTP server has let the last responses out (quarkus.shutdown.timeout):
     * free contexts and models. The drain is a no-op by now, unless stage one never ran.
     */
    void onStop(@Observes ShutdownEvent event) {
        if (term != null) term.uninstall();
        if (interrupt != null) interrupt.uninstall();
        registry.shutdown(config.scheduler().drainTimeout());
        profiles.stop(); // after the drain: the last requests' rounds are in
    }

    private List<Path> modelDirs() {
        return config.modelsDir().stream()
                .flatMap(s -> Arrays.stream(s.split(File.pathSeparator)))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }
}
