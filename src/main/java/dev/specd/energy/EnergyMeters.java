package dev.specd.energy;

import dev.specd.energy.EnergyConfig.Source;
import dev.specd.runtime.observe.EnergySource;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Picks the energy meter. In order of preference: RAPL (measured, the CPU packages), NVML
 * (measured, the GPUs), the CPU-time model (always available). A machine with both RAPL and GPUs
 * gets RAPL: the CPU side is where specd's own work shows on the CPU build, and one source keeps
 * the figures of one kind.
 *
 * <p>A source that was asked for by name but is unavailable falls back to the model, with a
 * warning saying why, rather than failing start-up: energy is an observation, and the label
 * ({@link EnergySource#name()}) says what was measured. Either way one INFO line names the source.
 */
public final class EnergyMeters {

    private static final Logger LOG = Logger.getLogger(EnergyMeters.class);

    private EnergyMeters() {
    }

    /** The meter {@code config} asks for, or the first available one for {@link Source#AUTO}. */
    public static EnergySource open(EnergyConfig config) {
        return open(config, NvmlMeter::attempt);
    }

    /** With the NVML attempt given, so that tests can stand in for a GPU machine. */
    static EnergySource open(EnergyConfig config, Supplier<? extends Opening<? extends EnergySource>> nvml) {
        List<String> unavailable = new ArrayList<>();
        EnergySource chosen = switch (config.source()) {
            case AUTO -> firstAvailable(config, nvml, unavailable);
            case RAPL -> named(RaplMeter.attempt(config.powercapRoot()), config);
            case NVML -> named(nvml.get(), config);
            case MODEL -> model(config);
        };
        LOG.infof("energy source: %s%s", chosen, unavailable.isEmpty() ? "" : "; " + String.join("; ", unavailable));
        return chosen;
    }

    /** RAPL, else NVML, else the model; notes why each measured source was passed over. */
    private static EnergySource firstAvailable(EnergyConfig config,
                                               Supplier<? extends Opening<? extends EnergySource>> nvml,
                                               List<String> unavailable) {
        switch (RaplMeter.attempt(config.powercapRoot())) {
            case Opening.Available<RaplMeter>(RaplMeter meter) -> {
                return meter;
            }
            case Opening.Unavailable<RaplMeter>(String reason) -> unavailable.add("no rapl: " + reason);
        }
        switch (nvml.get()) {
            case Opening.Available<? extends EnergySource> a -> {
                return a.meter();
            }
            case Opening.Unavailable<? extends EnergySource> u -> unavailable.add("no nvml: " + u.reason());
        }
        return model(config);
    }

    private static EnergySource named(Opening<? extends EnergySource> opening, EnergyConfig config) {
        return switch (opening) {
            case Opening.Available<? extends EnergySource> a -> a.meter();
            case Opening.Unavailable<? extends EnergySource> u -> {
                LOG.warnf("energy source %s was asked for but is unavailable (%s); using the CPU-time model instead",
                        config.source().label(), u.reason());
                yield model(config);
            }
        };
    }

    private static CpuModelMeter model(EnergyConfig config) {
        return new CpuModelMeter(config.wattsPerCore(), config.idleWatts(), config.idleShare());
    }
}
