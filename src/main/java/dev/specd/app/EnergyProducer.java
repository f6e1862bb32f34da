package dev.specd.app;

import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.runtime.observe.EnergySource;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the process's one {@link EnergySource} injectable ({@code @Inject EnergySource}), chosen
 * from {@code specd.energy.*} at start-up (eagerly, so that the log says which source from the
 * start and a bad setting fails the start, not the first request).
 *
 * <p>The source is also read once a minute by a daemon thread: a RAPL counter wraps after minutes
 * at high power, and the meter can account for one wrap between two reads but not two, so an idle
 * server that nobody reads would lose energy.
 */
@Singleton
public class EnergyProducer {

    private static final Logger LOG = Logger.getLogger(EnergyProducer.class);

    /** Well inside the shortest RAPL wrap period (a 32-bit AMD counter at full power: several minutes). */
    static final long SAMPLE_PERIOD_SECONDS = 60;

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("specd-energy-sampler").daemon().factory());

    @Produces
    @Singleton
    @io.quarkus.runtime.Startup
    EnergySource energySource(SpecdConfig config) {
        EnergySource source = EnergyMeters.open(energyConfig(config.energy()));
        sampler.scheduleAtFixedRate(() -> sample(source), SAMPLE_PERIOD_SECONDS, SAMPLE_PERIOD_SECONDS,
                TimeUnit.SECONDS);
        return source;
    }

    void close(@Disposes EnergySource source) throws Exception {
        sampler.shutdownNow();
        if (source instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The energy settings as the energy package takes them; a bad value names its property. */
    static EnergyConfig energyConfig(SpecdConfig.Energy energy) {
        try {
            return new EnergyConfig(Path.of(energy.powercapRoot()), EnergyConfig.Source.parse(energy.source()),
                    energy.wattsPerCore(), energy.idleWatts(), energy.idleShare());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("specd.energy: " + e.getMessage(), e);
        }
    }

    /** A failed read must not end the schedule (a thrown exception would stop it silently). */
    private static void sample(EnergySource source) {
        try {
            source.joules();
        } catch (RuntimeException e) {
            LOG.warnf(e, "reading the %s energy source failed", source.name());
        }
    }
}
