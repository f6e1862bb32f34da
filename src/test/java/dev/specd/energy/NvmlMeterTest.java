package dev.specd.energy;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NVML cannot be exercised without an NVIDIA GPU. What must hold everywhere: an absent library
 * makes no meter and no error (class initialisation included); where the driver is there, the meter
 * it makes (if the GPUs support the counter) is monotone and labelled.
 */
class NvmlMeterTest {

    @Test
    void anAbsentLibraryIsReportedNotThrown() {
        Optional<String> why = NvmlMeter.probe("libspecd-no-such-library.so.1");
        assertTrue(why.isPresent());
        assertTrue(why.get().contains("libspecd-no-such-library.so.1"), why.get());
    }

    @Test
    void noDriverNoMeter() {
        boolean driverPresent = NvmlMeter.probe(NvmlMeter.LIBRARY).isEmpty();
        Optional<NvmlMeter> meter = NvmlMeter.open();
        if (!driverPresent) {
            assertTrue(meter.isEmpty());
            return;
        }
        // A GPU machine: the meter may still be unavailable (pre-Volta GPU, no GPU visible).
        meter.ifPresent(m -> {
            try (m) {
                assertEquals("nvml", m.name());
                assertTrue(m.gpus() > 0);
                double first = m.joules();
                assertTrue(first >= 0);
                assertTrue(m.joules() >= first);
            }
        });
    }
}
