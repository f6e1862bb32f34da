package dev.specd.bench;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakCommandTest {

    @Test
    void memorySlopeIsPercentOfTheMeanPerTenMinutes() {
        List<double[]> flat = new ArrayList<>();
        List<double[]> growing = new ArrayList<>();
        for (int s = 0; s <= 600; s += 10) {
            flat.add(new double[] {s, 1000});
            growing.add(new double[] {s, 1000 + s / 600.0 * 20}); // +20 over 10 minutes around a mean of 1010
        }
        assertEquals(0.0, SoakCommand.slopePercentPer10Minutes(flat), 1e-9);
        assertEquals(20 / 1010.0 * 100, SoakCommand.slopePercentPer10Minutes(growing), 1e-9);
        assertTrue(Double.isNaN(SoakCommand.slopePercentPer10Minutes(flat.subList(0, 2))));
    }

    @Test
    void onlyLoopbackServers() {
        assertTrue(HttpCommand.isLoopback(URI.create("http://127.0.0.1:8080")));
        assertTrue(HttpCommand.isLoopback(URI.create("http://localhost:9")));
        assertFalse(HttpCommand.isLoopback(URI.create("http://example.com:8080")));
    }
}
