package dev.specd.app;

import dev.specd.energy.EnergyConfig;
import dev.specd.runtime.observe.EnergySource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server has one injectable, labelled energy source, chosen from {@code specd.energy.*}. */
@QuarkusTest
class EnergyProducerTest {

    @Inject
    EnergySource energy;

    @Inject
    SpecdConfig config;

    @Test
    void anEnergySourceIsInjectable() {
        assertTrue(Set.of("rapl", "nvml", "model").contains(energy.name()), energy.name());
        double first = energy.joules();
        assertTrue(first >= 0);
        assertTrue(energy.joules() >= first);
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        EnergyConfig energyConfig = EnergyProducer.energyConfig(config.energy());
        assertEquals(EnergyConfig.defaults(), energyConfig);
    }

    @Test
    void aBadSettingNamesTheEnergyProperties() {
        SpecdConfig.Energy bad = new Settings("gpu", 10.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EnergyProducer.energyConfig(bad));
        assertTrue(e.getMessage().startsWith("specd.energy: ") && e.getMessage().contains("gpu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EnergyProducer.energyConfig(new Settings("auto", -3)));
        assertTrue(e.getMessage().contains("wattsPerCore"), e.getMessage());
        assertEquals(Path.of("/sys/class/powercap"),
                EnergyProducer.energyConfig(new Settings("model", 1)).powercapRoot());
    }

    record Settings(String source, double wattsPerCore) implements SpecdConfig.Energy {
        @Override
        public String powercapRoot() {
            return "/sys/class/powercap";
        }

        @Override
        public double idleWatts() {
            return 20.0;
        }

        @Override
        public double idleShare() {
            return 1.0;
        }
    }
}
