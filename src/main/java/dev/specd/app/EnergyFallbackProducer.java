package dev.specd.app;

import dev.specd.runtime.EnergySource;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.lang.management.ManagementFactory;

/**
 * TEMPORARY: the energy source until {@code dev.specd.energy} and its producer land; theirs
 * replaces this one (a {@link DefaultBean} yields to any other producer of the type), and this file
 * is then to be deleted. A model, not a measurement: the process's CPU time at 10 W per busy core.
 */
public class EnergyFallbackProducer {

    private static final double WATTS_PER_CORE = 10.0;

    @Produces
    @Singleton
    @DefaultBean
    EnergySource cpuTimeModel() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new EnergySource() {
            @Override
            public double joules() {
                // CPU time summed over all cores: joules = busy core-seconds x watts per core.
                return Math.max(0, os.getProcessCpuTime()) * 1e-9 * WATTS_PER_CORE;
            }

            @Override
            public String name() {
                return "model";
            }
        };
    }
}
