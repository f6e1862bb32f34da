package dev.specd.energy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** RAPL on a fake powercap tree: packages only, wrap-around, unreadable zones, concurrent readers. */
class RaplMeterTest {

    @TempDir
    Path root;

    @Test
    void sumsThePackagesAndIgnoresSubzonesAndMmio() {
        FakePowercap tree = FakePowercap.twoPackages(root);
        RaplMeter meter = RaplMeter.open(root).orElseThrow();
        assertEquals("rapl", meter.name());
        assertEquals(List.of("intel-rapl:0", "intel-rapl:1"), meter.zones().stream().map(RaplMeter.Zone::id).toList());
        assertEquals(0.0, meter.joules());

        tree.set("intel-rapl:0", 3_000_000);          // +2 J
        tree.set("intel-rapl:1", 5_500_000);          // +0.5 J
        tree.set("intel-rapl:0:0", 900_000_000);      // inside package 0: not counted again
        tree.set("intel-rapl:1:0", 900_000_000);
        tree.set("intel-rapl-mmio:0", 900_000_000);   // package 0 read another way
        assertEquals(2.5, meter.joules(), 1e-9);
        assertEquals(2.5, meter.joules(), 1e-9);
    }

    @Test
    void countsAcrossAWrap() {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 9_000_000, 10_000_000);
        RaplMeter meter = RaplMeter.open(root).orElseThrow();
        tree.set("intel-rapl:0", 1_000_000);           // wrapped: 1 J to the top, 1 J after
        assertEquals(2.0, meter.joules(), 1e-9);
        tree.set("intel-rapl:0", 3_000_000);
        assertEquals(4.0, meter.joules(), 1e-9);
        tree.set("intel-rapl:0", 0);                   // wrapped again, landing on 0
        assertEquals(11.0, meter.joules(), 1e-9);
    }

    @Test
    void ordersZonesByTheirNumber() {
        FakePowercap tree = new FakePowercap(root);
        for (int i : new int[] {10, 2, 0, 1}) tree.zone("intel-rapl:" + i, "package-" + i, 0);
        tree.zone("amd-rapl:0", "package-0", 0);
        List<String> ids = RaplMeter.open(root).orElseThrow().zones().stream().map(RaplMeter.Zone::id).toList();
        assertEquals(List.of("amd-rapl:0", "intel-rapl:0", "intel-rapl:1", "intel-rapl:2", "intel-rapl:10"), ids);
    }

    @Test
    void skipsThePlatformZone() {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 0);
        tree.zone("intel-rapl:1", "psys", 0);
        RaplMeter meter = RaplMeter.open(root).orElseThrow();
        tree.set("intel-rapl:1", 50_000_000);
        tree.set("intel-rapl:0", 1_000_000);
        assertEquals(1.0, meter.joules(), 1e-9);
    }

    @Test
    void noPowercapTreeIsNoMeter() {
        assertTrue(RaplMeter.open(root.resolve("absent")).isEmpty());
        assertTrue(RaplMeter.open(root).isEmpty(), "an empty powercap directory has no zones");
        new FakePowercap(root).zone("intel-rapl:0:0", "core", 0);
        assertTrue(RaplMeter.open(root).isEmpty(), "a subzone alone is no package");
    }

    @Test
    void anUnreadablePackageMeansNoMeter() throws IOException {
        FakePowercap tree = FakePowercap.twoPackages(root);
        Path counter = root.resolve("intel-rapl:1/energy_uj");
        Files.delete(counter);
        Files.createDirectory(counter);                 // reading it fails, even as root
        Opening<RaplMeter> opening = RaplMeter.attempt(root);
        var unavailable = assertInstanceOf(Opening.Unavailable.class, opening);
        assertTrue(unavailable.reason().contains("intel-rapl:1"), unavailable.reason());

        Files.delete(counter);
        tree.set("intel-rapl:1", 5);
        Files.delete(root.resolve("intel-rapl:1/max_energy_range_uj"));
        assertTrue(RaplMeter.open(root).isEmpty(), "no wrap point, no meter");
    }

    @Test
    void permissionDeniedIsNoMeterAndSaysWhy() throws IOException {
        FakePowercap.twoPackages(root);
        Path counter = root.resolve("intel-rapl:0/energy_uj");
        Files.setPosixFilePermissions(counter, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(counter), "root reads every file: nothing to deny");
        var unavailable = assertInstanceOf(Opening.Unavailable.class, RaplMeter.attempt(root));
        assertTrue(unavailable.reason().contains("permission denied"), unavailable.reason());
    }

    @Test
    void aFailedReadKeepsTheLastValueAndCatchesUpLater() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 0);
        RaplMeter meter = RaplMeter.open(root).orElseThrow();
        tree.set("intel-rapl:0", 1_000_000);
        assertEquals(1.0, meter.joules(), 1e-9);
        Files.writeString(root.resolve("intel-rapl:0/energy_uj"), "garbage\n");
        assertEquals(1.0, meter.joules(), 1e-9);
        Files.writeString(root.resolve("intel-rapl:0/energy_uj"), FakePowercap.MAX_UJ + 1 + "\n");
        assertEquals(1.0, meter.joules(), 1e-9, "a value above the wrap point is refused");
        tree.set("intel-rapl:0", 4_000_000);
        assertEquals(4.0, meter.joules(), 1e-9);
    }

    /**
     * Readers on several threads while the counters advance and wrap: each reader sees a
     * non-decreasing series, and the final total is exactly what the counters advanced by.
     */
    @Test
    void monotoneAndExactUnderConcurrentReaders() throws Exception {
        long max = 10_000_000;
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 0, max);
        tree.zone("intel-rapl:1", "package-1", 0, max);
        RaplMeter meter = RaplMeter.open(root).orElseThrow();
        int readers = 4;
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(readers + 1)) {
            Future<Long> writer = pool.submit(() -> {
                go.await();
                long advancedUj = 0;
                for (int step = 0; step < 200; step++) {
                    for (String id : List.of("intel-rapl:0", "intel-rapl:1")) {
                        tree.set(id, (tree.get(id) + 3_000_000) % max);   // wraps every few steps
                    }
                    advancedUj += 6_000_000;
                    meter.joules();                                        // at most one wrap between reads
                }
                return advancedUj;
            });
            List<Future<Boolean>> monotone = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                monotone.add(pool.submit(() -> {
                    go.await();
                    double previous = 0;
                    boolean ok = true;
                    for (int i = 0; i < 2_000; i++) {
                        double j = meter.joules();
                        ok &= j >= previous;
                        previous = j;
                    }
                    return ok;
                }));
            }
            go.countDown();
            for (Future<Boolean> f : monotone) assertTrue(f.get());
            long advancedUj = writer.get();
            assertEquals(advancedUj / 1e6, meter.joules(), 1e-6);
        }
    }
}
