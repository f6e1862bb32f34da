package dev.specd.energy;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CPU-time model: its formula, its parameters, and the real process CPU clock behind it. */
class CpuModelMeterTest {

    @Test
    void formulaOnGivenClocks() {
        AtomicLong cpu = new AtomicLong(5_000_000_000L);
        AtomicLong wall = new AtomicLong(-7_000_000_000L);           // nanoTime's origin is arbitrary
        CpuModelMeter meter = new CpuModelMeter(10.0, 20.0, 0.5, cpu::get, wall::get);
        assertEquals("model", meter.name());
        assertEquals(0.0, meter.joules());
        cpu.addAndGet(2_000_000_000L);                                // 2 CPU seconds
        wall.addAndGet(10_000_000_000L);                              // over 10 s
        assertEquals(10.0 * 2 + 20.0 * 0.5 * 10, meter.joules(), 1e-9);
    }

    @Test
    void neverDecreasesEvenIfAClockSeemsTo() {
        AtomicLong cpu = new AtomicLong();
        AtomicLong wall = new AtomicLong();
        CpuModelMeter meter = new CpuModelMeter(10.0, 0.0, 1.0, cpu::get, wall::get);
        cpu.set(3_000_000_000L);
        assertEquals(30.0, meter.joules(), 1e-9);
        cpu.set(1_000_000_000L);                                      // as two racing readers may see it
        assertEquals(30.0, meter.joules(), 1e-9);
        cpu.set(4_000_000_000L);
        assertEquals(40.0, meter.joules(), 1e-9);
    }

    @Test
    void rejectsMeaninglessParameters() {
        for (double bad : new double[] {-1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> new CpuModelMeter(bad, 20.0, 1.0));
            assertThrows(IllegalArgumentException.class, () -> new CpuModelMeter(10.0, bad, 1.0));
            assertThrows(IllegalArgumentException.class, () -> new CpuModelMeter(10.0, 20.0, bad));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CpuModelMeter(10.0, 20.0, 1.5));
        assertTrue(e.getMessage().contains("idleShare"), e.getMessage());
        new CpuModelMeter(0.0, 0.0, 0.0);                             // zero is allowed: a source that counts nothing
    }

    /**
     * Burns about 200 ms of CPU on this thread (measured by CPU time, not wall time) between two
     * readings of a model without idle power: the meter must have charged at least wattsPerCore
     * for this thread's CPU seconds, and at most for the whole process's, read around it.
     */
    @Test
    void chargesProcessCpuTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double watts = 10.0;
        CpuModelMeter meter = new CpuModelMeter(watts, 0.0, 1.0);

        long process0 = os.getProcessCpuTime();
        double joules0 = meter.joules();
        long thread0 = threads.getCurrentThreadCpuTime();
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() - thread0 < 200_000_000L) {
            for (int i = 0; i < 100_000; i++) sink += i * 31L ^ sink;
        }
        long threadNanos = threads.getCurrentThreadCpuTime() - thread0;
        double charged = meter.joules() - joules0;
        long processNanos = os.getProcessCpuTime() - process0;

        assertTrue(sink != 42 || charged >= 0);                       // keeps the loop from being optimised away
        assertTrue(charged > 0, "charged " + charged + " J");
        // Generous bounds: the process clock may tick more coarsely than the thread clock.
        assertTrue(charged >= 0.8 * watts * threadNanos / 1e9,
                "charged " + charged + " J for " + threadNanos / 1e6 + " ms of this thread's CPU");
        assertTrue(charged <= 1.2 * watts * processNanos / 1e9 + 0.1,
                "charged " + charged + " J for " + processNanos / 1e6 + " ms of the process's CPU");
    }
}
