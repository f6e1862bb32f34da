package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleSupplier;

/**
 * A uniform source that plays back given values and fails on any draw beyond them, so a test
 * pins down both the outcome and exactly how much randomness verification consumed.
 */
final class UniformScript implements DoubleSupplier {

    private final double[] values;
    private int next;

    private UniformScript(double[] values) {
        this.values = values.clone();
    }

    static UniformScript of(double... values) {
        return new UniformScript(values);
    }

    /** A source that must never be drawn from (greedy, certain outcomes). */
    static UniformScript none() {
        return new UniformScript(new double[0]);
    }

    @Override
    public double getAsDouble() {
        if (next >= values.length) {
            throw new AssertionError("uniform #" + (next + 1) + " drawn, but only " + values.length + " scripted");
        }
        return values[next++];
    }

    int consumed() {
        return next;
    }

    void assertAllConsumed() {
        assertEquals(values.length, next, "uniforms consumed");
    }
}
