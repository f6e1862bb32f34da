package dev.specd.energy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How to pick and parameterise the energy meter.
 *
 * @param powercapRoot where the powercap zones are ({@code /sys/class/powercap}; a test points it at a fake tree)
 * @param source       which source to use: {@link Source#AUTO} tries them in order of preference
 * @param wattsPerCore the model's watts per busy core (see {@link CpuModelMeter})
 * @param idleWatts    the model's idle power of the whole machine
 * @param idleShare    the share of that idle power charged to this process, 0..1
 */
public record EnergyConfig(Path powercapRoot, Source source, double wattsPerCore, double idleWatts,
                           double idleShare) {

    public static final Path DEFAULT_POWERCAP_ROOT = Path.of("/sys/class/powercap");

    /** Which meter to use. */
    public enum Source {
        /** The first available of RAPL, NVML and the model. */
        AUTO,
        RAPL,
        NVML,
        MODEL;

        /** Parses {@code auto}, {@code rapl}, {@code nvml} or {@code model} (any case). */
        public static Source parse(String text) {
            String name = Objects.requireNonNull(text, "source").strip().toUpperCase(Locale.ROOT);
            return Arrays.stream(values()).filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown energy source '" + text
                            + "'; expected one of auto, rapl, nvml, model"));
        }

        /** The lower-case name, as configured and as the sources name themselves. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks every field, the model's parameters too when the model is not chosen: a typo should
     * not wait for the day RAPL is missing to fail.
     */
    public EnergyConfig {
        Objects.requireNonNull(powercapRoot, "powercapRoot");
        Objects.requireNonNull(source, "source");
        CpuModelMeter.checkParameters(wattsPerCore, idleWatts, idleShare);
    }

    /** Automatic choice, the real powercap tree, and the model's default figures. */
    public static EnergyConfig defaults() {
        return new EnergyConfig(DEFAULT_POWERCAP_ROOT, Source.AUTO, CpuModelMeter.DEFAULT_WATTS_PER_CORE,
                CpuModelMeter.DEFAULT_IDLE_WATTS, CpuModelMeter.DEFAULT_IDLE_SHARE);
    }
}
