package dev.specd.app;

import dev.specd.engine.CacheDirs;
import dev.specd.engine.llamacpp.NativeLibrary;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PipelineCompiler;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.EnergySource;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sched.Pipeline;
import dev.specd.sched.PipelineRegistry;
import dev.specd.sched.SchedulerLimits;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Loads every pipeline before the server takes requests: compiles the specs (presets over one
 * target must agree on its engine), loads each model once, starts one engine per target, and waits
 * for the engines to calibrate. Any failure — a spec error, a model file that is missing, fails its
 * checksum or is rejected by llama.cpp — fails start-up with a message naming the file, instead of
 * a server that answers errors forever.
 */
@ApplicationScoped
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);
    /** Longest wait for the engines' calibration before the server counts as failed. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);

    private final SpecdConfig config;
    private final PipelineRegistry registry;
    private final ProfileKeeper profiles;
    private final Telemetry telemetry;
    private final EnergySource energySource;
    private Serving serving;

    public Startup(SpecdConfig config, PipelineRegistry registry, ProfileKeeper profiles, Telemetry telemetry,
                   EnergySource energySource) {
        this.config = config;
        this.registry = registry;
        this.profiles = profiles;
        this.telemetry = telemetry;
        this.energySource = energySource;
    }

    /** Stops admission the moment SIGTERM / SIGINT arrive; null where the JVM does not let us. */
    private TermSignal term;
    private TermSignal interrupt;

    void onStart(@Observes StartupEvent event) {
        CacheDirs cache = CacheDirs.of(config.cacheDir());
        NativeLibrary.use(new NativeLibrary.Settings(config.engine().library().map(Path::of), cache.nativeDir()));
        try {
            SchedulerLimits limits = new SchedulerLimits(config.scheduler().queueCapacity(),
                    config.scheduler().requestTimeout());
            List<ExecutionPlan> plans = PipelineCompiler.compileAll(PipelineSources.load(config.pipelines())).stream()
                    .map(p -> p.target().threads() == 0 && config.engine().threads() > 0
                            ? p.withThreads(config.engine().threads()) : p)
                    .toList();
            // One account for all engines: the meter is process-wide, each joule is charged once.
            EnergyAccount energy = new EnergyAccount(energySource);
            ModelResolver resolver = new ModelResolver(modelDirs(), cache.root(), config.download(), Forge::forge,
                    "forge-v" + Forge.VERSION);
            serving = Serving.start(plans, new Serving.Setup(resolver, new ModelPool(telemetry), limits, telemetry,
                    energy, profiles, config.engine().batchInvariant()));
            for (Pipeline p : serving.pipelines()) registry.register(p);
            serving.awaitReady(START_TIMEOUT);
            profiles.startSaving();
            registry.markReady();
            term = TermSignal.install("TERM", registry::stopAdmitting);
            interrupt = TermSignal.install("INT", registry::stopAdmitting);
            LOG.infof("serving pipelines %s (default: %s) on engines %s",
                    registry.all().stream().map(Pipeline::id).toList(), registry.all().getFirst().id(),
                    registry.engines().stream().map(e -> e.id()).toList());
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            registry.markFailed(e.getMessage());
            registry.clear();
            if (serving != null) serving.close();
            LOG.error("start-up failed: " + e.getMessage());
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
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
     * save the profiles, then free contexts and models — each only once no thread uses it. The
     * drain is a no-op by now, unless stage one never ran.
     */
    void onStop(@Observes ShutdownEvent event) {
        if (term != null) term.uninstall();
        if (interrupt != null) interrupt.uninstall();
        registry.drain(config.scheduler().drainTimeout());
        profiles.stop(); // after the drain: the last requests' rounds are in
        registry.clear();
        if (serving != null) serving.close();
    }

    private List<Path> modelDirs() {
        return config.modelsDir().stream()
                .flatMap(s -> Arrays.stream(s.split(File.pathSeparator)))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }
}
