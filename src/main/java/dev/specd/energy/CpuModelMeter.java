package dev.specd.energy;

import dev.specd.runtime.observe.EnergySource;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Energy estimated from CPU time, for machines where no counter can be read:
 *
 * <pre>
 *   E = wattsPerCore × cpuSeconds + idleWatts × idleShare × wallSeconds
 * </pre>
 *
 * where {@code cpuSeconds} is this process's CPU time since the meter was made
 * ({@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}, which counts every thread
 * of the process, llama.cpp's native OpenMP workers included — that is where the work is), and
 * {@code wallSeconds} the time elapsed since then. The first term is the dynamic power of the cores
 * we keep busy; the second charges this process its share of what the machine draws anyway (fans,
 * memory, uncore, idle cores), since a server that exists only to run specd costs that too.
 *
 * <p>The defaults are rough on purpose and say so: {@value #DEFAULT_WATTS_PER_CORE} W per core is
 * about what one core of a modern server CPU draws under sustained AVX load (a 32-core part at its
 * 300 W limit is 9 W a core); {@value #DEFAULT_IDLE_WATTS} W is a small server's
 * idle draw; {@value #DEFAULT_IDLE_SHARE} assumes the machine serves only specd. Its figures are
 * labelled {@code model} so that nobody mistakes them for a measurement.
 *
 * <p>Thread-safe and lock-free. The CPU and wall clocks are read one after the other, so two
 * concurrent calls could see them in different orders; the meter never returns less than the
 * most it has already returned, which keeps it monotone.
 */
public final class CpuModelMeter implements EnergySource {

    public static final double DEFAULT_WATTS_PER_CORE = 10.0;
    public static final double DEFAULT_IDLE_WATTS = 20.0;
    public static final double DEFAULT_IDLE_SHARE = 1.0;

    private static final Logger LOG = Logger.getLogger(CpuModelMeter.class);

    private final double wattsPerCore;
    private final double idleWatts;
    private final double idleShare;
    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final long cpuOrigin;
    private final long wallOrigin;
    /**
     * The largest value returned so far, as {@link Double#doubleToLongBits} (which orders
     * non-negative doubles like the values themselves).
     */
    private final AtomicLong highest = new AtomicLong(Double.doubleToLongBits(0.0));

    /**
     * @param wattsPerCore watts per core kept busy (≥ 0)
     * @param idleWatts    the machine's idle power (≥ 0)
     * @param idleShare    the share of the idle power charged to this process (0..1)
     */
    public CpuModelMeter(double wattsPerCore, double idleWatts, double idleShare) {
        this(wattsPerCore, idleWatts, idleShare, processCpuClock(), System::nanoTime);
    }

    /** With given clocks (nanoseconds, arbitrary origins), so that tests can check the formula exactly. */
    CpuModelMeter(double wattsPerCore, double idleWatts, double idleShare, LongSupplier cpuNanos,
                  LongSupplier wallNanos) {
        checkParameters(wattsPerCore, idleWatts, idleShare);
        this.wattsPerCore = wattsPerCore;
        this.idleWatts = idleWatts;
        this.idleShare = idleShare;
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.cpuOrigin = cpuNanos.getAsLong();
        this.wallOrigin = wallNanos.getAsLong();
    }

    /** Rejects parameters that would make the model meaningless: negative, infinite, NaN, or a share above one. */
    static void checkParameters(double wattsPerCore, double idleWatts, double idleShare) {
        requireWatts("wattsPerCore", wattsPerCore);
        requireWatts("idleWatts", idleWatts);
        if (!(idleShare >= 0 && idleShare <= 1)) {
            throw new IllegalArgumentException("idleShare must be between 0 and 1, was " + idleShare);
        }
    }

    private static void requireWatts(String name, double value) {
        if (!(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
    }

    /**
     * The model's joules for a process that used {@code cpuSeconds} of CPU over {@code wallSeconds}
     * (also for processes this meter does not watch: the benchmarks' llama.cpp peers).
     */
    public static double estimate(double wattsPerCore, double idleWatts, double idleShare, double cpuSeconds,
                                  double wallSeconds) {
        return Math.max(0.0, wattsPerCore * cpuSeconds + idleWatts * idleShare * wallSeconds);
    }

    @Override
    public double joules() {
        double cpuSeconds = (cpuNanos.getAsLong() - cpuOrigin) / 1e9;
        double wallSeconds = (wallNanos.getAsLong() - wallOrigin) / 1e9;
        double estimate = estimate(wattsPerCore, idleWatts, idleShare, cpuSeconds, wallSeconds);
        return Double.longBitsToDouble(highest.accumulateAndGet(Double.doubleToLongBits(estimate), Math::max));
    }

    @Override
    public String name() {
        return "model";
    }

    public double wattsPerCore() {
        return wattsPerCore;
    }

    public double idleWatts() {
        return idleWatts;
    }

    public double idleShare() {
        return idleShare;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "model: %.1f W per busy core + %.1f W idle x %.2f share", wattsPerCore,
                idleWatts, idleShare);
    }

    /**
     * The process CPU clock. On a JVM without {@code com.sun.management} (none we ship on) the model
     * can only count its idle share, which is said once rather than hidden.
     */
    private static LongSupplier processCpuClock() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            return os::getProcessCpuTime;
        }
        LOG.warn("process CPU time is not available on this JVM: the energy model counts only its idle share");
        return () -> 0L;
    }
}
