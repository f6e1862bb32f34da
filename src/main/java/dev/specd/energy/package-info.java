/**
 * The energy meter: how many joules the server has used, and where that number comes from.
 *
 * <p>Three {@link dev.specd.runtime.observe.EnergySource}s, in order of preference: {@link dev.specd.energy.RaplMeter}
 * (the CPU packages' own counters through Linux powercap), {@link dev.specd.energy.NvmlMeter} (the GPUs' counters
 * through NVIDIA's management library) and {@link dev.specd.energy.CpuModelMeter} (a model from process CPU time,
 * always available). {@link dev.specd.energy.EnergyMeters} picks one from an {@link dev.specd.energy.EnergyConfig}.
 * Every source carries its name, so that a modelled figure is never mistaken for a measured one.
 *
 * <p>Depends on {@code runtime} only (for the interface); {@code app} wires it into the server and
 * {@code bench} into its benchmarks. See docs/energy.md.
 */
package dev.specd.energy;
