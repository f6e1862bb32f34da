package dev.specd.energy;

import dev.specd.energy.EnergyConfig.Source;
import dev.specd.runtime.observe.EnergySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice of source: RAPL, then NVML, then the model; a named source that is missing falls back to the model. */
class EnergyMetersTest {

    @TempDir
    Path dir;

    /** Stands in for NVML on a GPU machine. */
    record FakeGpu() implements EnergySource {
        @Override
        public double joules() {
            return 0;
        }

        @Override
        public String name() {
            return "nvml";
        }
    }

    static final Opening<FakeGpu> GPU = Opening.available(new FakeGpu());
    static final Opening<FakeGpu> NO_GPU = Opening.unavailable("no GPU here");

    EnergyConfig config(Path root, Source source) {
        return new EnergyConfig(root, source, 12.0, 30.0, 0.25);
    }

    EnergySource open(Path root, Source source, Opening<FakeGpu> nvml) {
        return EnergyMeters.open(config(root, source), () -> nvml);
    }

    @Test
    void autoPrefersRaplThenNvmlThenTheModel() {
        FakePowercap.twoPackages(dir.resolve("powercap"));
        Path rapl = dir.resolve("powercap");
        Path none = dir.resolve("absent");
        assertInstanceOf(RaplMeter.class, open(rapl, Source.AUTO, GPU));
        assertEquals("nvml", open(none, Source.AUTO, GPU).name());
        CpuModelMeter model = assertInstanceOf(CpuModelMeter.class, open(none, Source.AUTO, NO_GPU));
        assertEquals(12.0, model.wattsPerCore());
        assertEquals(30.0, model.idleWatts());
        assertEquals(0.25, model.idleShare());
    }

    @Test
    void aNamedSourceIsUsedWhenAvailable() {
        FakePowercap.twoPackages(dir.resolve("powercap"));
        Path rapl = dir.resolve("powercap");
        assertEquals("rapl", open(rapl, Source.RAPL, GPU).name());
        assertEquals("nvml", open(rapl, Source.NVML, GPU).name());
        assertEquals("model", open(rapl, Source.MODEL, GPU).name());
    }

    @Test
    void aNamedSourceThatIsMissingFallsBackToTheModel() {
        Path none = dir.resolve("absent");
        assertEquals("model", open(none, Source.RAPL, GPU).name(), "no RAPL: the model, not NVML");
        assertEquals("model", open(none, Source.NVML, NO_GPU).name());
    }

    /** On this machine, with the real NVML attempt: no powercap tree and (without a driver) the model. */
    @Test
    void realFactoryWithoutRapl() {
        EnergySource source = EnergyMeters.open(config(dir.resolve("absent"), Source.AUTO));
        boolean driverPresent = NvmlMeter.probe(NvmlMeter.LIBRARY).isEmpty();
        if (!driverPresent) {
            assertEquals("model", source.name());
        }
        assertTrue(source.name().equals("model") || source.name().equals("nvml"), source.name());
        if (source instanceof NvmlMeter nvml) nvml.close();

        FakePowercap.twoPackages(dir.resolve("powercap"));
        assertEquals("rapl", EnergyMeters.open(config(dir.resolve("powercap"), Source.AUTO)).name());
    }

    @Test
    void sourceNamesAndConfigChecks() {
        assertEquals(Source.AUTO, Source.parse(" Auto "));
        assertEquals(Source.NVML, Source.parse("nvml"));
        assertEquals("rapl", Source.RAPL.label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Source.parse("gpu"));
        assertTrue(e.getMessage().contains("gpu") && e.getMessage().contains("auto, rapl, nvml, model"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EnergyConfig(dir, Source.AUTO, -1, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> new EnergyConfig(dir, Source.AUTO, 10, 20, 2));
        assertEquals(Source.AUTO, EnergyConfig.defaults().source());
        assertEquals(Path.of("/sys/class/powercap"), EnergyConfig.defaults().powercapRoot());
    }
}
