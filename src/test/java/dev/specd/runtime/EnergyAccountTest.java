package dev.specd.runtime;

import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.EnergySource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnergyAccountTest {

    /** A meter whose every reading is one joule more than the last: each claim must get exactly one. */
    private static final class CountingMeter implements EnergySource {
        final AtomicLong readings = new AtomicLong();

        public double joules() {
            return readings.incrementAndGet();
        }

        public String name() {
            return "counting";
        }
    }

    /** A meter the test sets. */
    private static final class SetMeter implements EnergySource {
        volatile double value;

        public double joules() {
            return value;
        }

        public String name() {
            return "set";
        }
    }

    @Test
    void aClaimGetsWhatAccruedSinceTheLastClaimAndNothingBeforeTheAccount() {
        SetMeter meter = new SetMeter();
        meter.value = 100; // used before the account existed: nobody's
        EnergyAccount account = new EnergyAccount(meter);
        assertEquals(0, account.claim());
        meter.value = 102.5;
        assertEquals(2.5, account.claim());
        assertEquals(0, account.claim(), "claimed once, never again");
        meter.value = 110;
        assertEquals(7.5, account.claim());
        assertEquals("set", account.source());
        assertTrue(account.metered());
    }

    @Test
    void aMeterThatStepsBackChargesNothingAndResumesFromItsNewReading() {
        SetMeter meter = new SetMeter();
        meter.value = 50;
        EnergyAccount account = new EnergyAccount(meter);
        meter.value = 10;
        assertEquals(0, account.claim());
        meter.value = 12;
        assertEquals(2, account.claim());
    }

    @Test
    void twoThreadsClaimingTogetherNeverCountAJouleTwice() throws Exception {
        CountingMeter meter = new CountingMeter();
        EnergyAccount account = new EnergyAccount(meter);
        int perThread = 20_000;
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<double[]> claimer = () -> {
            start.await();
            double[] claims = new double[perThread];
            for (int i = 0; i < perThread; i++) claims[i] = account.claim();
            return claims;
        };
        List<double[]> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            List<Future<double[]>> futures = List.of(threads.submit(claimer), threads.submit(claimer));
            for (Future<double[]> f : futures) results.add(f.get());
        }
        double total = 0;
        for (double[] claims : results) {
            for (double c : claims) {
                assertEquals(1.0, c, "every claim takes exactly the joule since the one before it");
                total += c;
            }
        }
        // The account's first reading was 1; the last claim read 1 + 2 * perThread.
        assertEquals(meter.readings.get() - 1, total);
        assertEquals(2 * perThread, total);
    }

    @Test
    void anUnmeteredAccountClaimsNothing() {
        EnergyAccount none = EnergyAccount.unmetered();
        assertFalse(none.metered());
        assertEquals(0, none.claim());
        assertEquals("none", none.source());
    }

    @Test
    void splitsAreProportionalToRowsAndSumToTheWhole() {
        double[] parts = EnergyAccount.split(10, new int[] {1, 3, 6});
        assertArrayEquals(new double[] {1, 3, 6}, parts, 1e-12);
        double[] uneven = EnergyAccount.split(1, new int[] {1, 1, 1});
        assertEquals(1.0, uneven[0] + uneven[1] + uneven[2], 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, EnergyAccount.split(1, new int[] {0, 0}), 1e-12);
        assertEquals(0, EnergyAccount.split(5, new int[0]).length);
        assertThrows(IllegalArgumentException.class, () -> EnergyAccount.split(1, new int[] {-1, 2}));
    }

    @Test
    void aChargeReportsJoulesPerTokenAndAddsUp() {
        EnergyCharge a = new EnergyCharge(3, 6, "model");
        assertEquals(0.5, a.perToken());
        assertEquals(null, new EnergyCharge(1, 0, "model").perToken());
        EnergyCharge sum = a.plus(new EnergyCharge(1, 2, "model"));
        assertEquals(new EnergyCharge(4, 8, "model"), sum);
        assertThrows(IllegalArgumentException.class, () -> new EnergyCharge(-1, 1, "model"));
    }
}
