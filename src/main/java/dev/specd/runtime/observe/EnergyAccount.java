package dev.specd.runtime.observe;

import java.util.Objects;

/**
 * Hands out the joules an {@link EnergySource} measured, each joule once. Meters are
 * process-wide (a RAPL package, a GPU), while every pipeline's engine thread charges its own
 * requests: if each read the meter on its own, the joules of a period in which two loops ran would
 * be charged twice. So all loops share one account, and a {@link #claim()} takes what accrued since
 * the last claim by anyone.
 */
public final class EnergyAccount {

    /** Null when nothing is metered. */
    private final EnergySource source;
    /** The meter's reading at the last claim; the energy used before the account existed is nobody's. */
    private double claimedUpTo;

    public EnergyAccount(EnergySource source) {
        this.source = Objects.requireNonNull(source, "source");
        this.claimedUpTo = source.joules();
    }

    private EnergyAccount() {
        this.source = null;
    }

    /** An account with no meter: claims nothing, and responses then carry no energy. */
    public static EnergyAccount unmetered() {
        return new EnergyAccount();
    }

    public boolean metered() {
        return source != null;
    }

    /** The meter's name as the metrics label it ({@code rapl}, {@code nvml}, {@code model}), or {@code none}. */
    public String source() {
        return source == null ? "none" : source.name();
    }

    /** Joules since the last claim by any thread; never negative. */
    public synchronized double claim() {
        if (source == null) return 0;
        double now = source.joules();
        // A meter that stepped back (a counter reset the source failed to hide) gives nothing,
        // rather than a negative charge; counting resumes from its new reading.
        double delta = Math.max(0, now - claimedUpTo);
        claimedUpTo = now;
        return delta;
    }

    /**
     * Splits {@code joules} in proportion to {@code weights} (the rows each request put into a
     * turn's batch): the parts sum to {@code joules} up to rounding; all weights zero splits evenly.
     */
    public static double[] split(double joules, int[] weights) {
        double[] parts = new double[weights.length];
        if (weights.length == 0) return parts;
        long total = 0;
        for (int w : weights) {
            if (w < 0) throw new IllegalArgumentException("negative weight " + w);
            total += w;
        }
        for (int i = 0; i < weights.length; i++) {
            parts[i] = total == 0 ? joules / weights.length : joules * weights[i] / total;
        }
        return parts;
    }
}
