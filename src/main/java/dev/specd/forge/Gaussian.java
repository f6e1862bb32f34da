package dev.specd.forge;

import java.nio.charset.StandardCharsets;

/**
 * A seeded source of N(0,1) values whose output is fixed by this code alone: SplitMix64 for the
 * bits, Marsaglia's polar method with {@link StrictMath} for the transform. java.util's generators
 * are not used because their Gaussian algorithm may change between JDK releases, and Math.log may
 * differ by an ulp between CPUs; either would change a forged file's sha256.
 * <p>
 * Each tensor region draws from its own stream, named by a string, so a region's values do not
 * depend on which other regions were generated or in what order (the writer works in parallel).
 */
final class Gaussian {

    private long state;
    private double spare;
    private boolean hasSpare;

    private Gaussian(long state) {
        this.state = state;
    }

    /** The stream called {@code name} of the generator seeded with {@code seed}. */
    static Gaussian stream(long seed, String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the name's UTF-8 bytes
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return new Gaussian(mix(mix(seed) ^ h));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9e3779b97f4a7c15L;
        return mix(state);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spare = v * f;
        hasSpare = true;
        return u * f;
    }

    /** Fills {@code dst[from, to)} with sigma·N(0,1). */
    void fill(float[] dst, int from, int to, double sigma) {
        for (int i = from; i < to; i++) dst[i] = (float) (sigma * nextGaussian());
    }
}
