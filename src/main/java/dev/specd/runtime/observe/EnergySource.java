package dev.specd.runtime.observe;

/**
 * A process-wide energy counter the runtime charges its work to: measured (RAPL, NVML) or
 * modelled (CPU time × watts). Implementations live in {@code dev.specd.energy}; the runtime sees
 * only this, so that the engine loop can attribute joules without knowing where they come from.
 */
public interface EnergySource {

    /** Joules consumed since an arbitrary origin; never decreases. Safe to call from any thread. */
    double joules();

    /** Where the numbers come from, as the metrics label them: {@code rapl}, {@code nvml} or {@code model}. */
    String name();
}
