package dev.specd.forge;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error bounds of the encodings, over arbitrary blocks of values at arbitrary scales. */
class TensorCodecTest {

    @Provide
    Arbitrary<float[]> blocks() {
        Arbitrary<float[]> unit = Arbitraries.floats().between(-1f, 1f).array(float[].class).ofSize(64);
        Arbitrary<Integer> exponent = Arbitraries.integers().between(-12, 12);
        return Combinators.combine(unit, exponent).as((v, e) -> {
            float scale = (float) Math.pow(2, e);
            float[] x = v.clone();
            for (int i = 0; i < x.length; i++) x[i] *= scale;
            return x;
        });
    }

    static float[] roundTrip(float[] x, GgmlType type) {
        return TensorCodec.decode(MemorySegment.ofArray(TensorCodec.encode(x, type)), type, x.length);
    }

    static float amax(float[] x, int from) {
        float m = 0;
        for (int j = 0; j < 32; j++) m = Math.max(m, Math.abs(x[from + j]));
        return m;
    }

    /** How far the f16-stored scale is from the exact one (f16 has only 11 bits, fewer when subnormal). */
    static float scaleError(float d) {
        return Math.abs(d - Float.float16ToFloat(Float.floatToFloat16(d)));
    }

    /**
     * Q8_0: 255 levels over ±amax, so at most half a step d = amax/127 off, plus up to 127 times the
     * rounding of d to f16.
     */
    @Property(tries = 300)
    void q8ErrorIsWithinHalfAStep(@ForAll("blocks") float[] x) {
        float[] y = roundTrip(x, GgmlType.Q8_0);
        for (int b = 0; b < x.length; b += 32) {
            float d = amax(x, b) / 127;
            float bound = d * 0.5f + 127 * scaleError(d) + Math.abs(x[b]) * 1e-6f + Float.MIN_NORMAL;
            for (int j = b; j < b + 32; j++) {
                float err = Math.abs(x[j] - y[j]);
                assertTrue(err <= bound, "x=" + x[j] + " decoded " + y[j] + " step " + d);
            }
        }
    }

    /**
     * Q4_0: 16 levels with step |d| = amax/8; values are off by at most half a step, except that
     * the level for +8·|d| on the side opposite the largest value is cut to 7, a full step.
     */
    @Property(tries = 300)
    void q4ErrorIsWithinOneStep(@ForAll("blocks") float[] x) {
        float[] y = roundTrip(x, GgmlType.Q4_0);
        double sq = 0;
        for (int b = 0; b < x.length; b += 32) {
            float d = amax(x, b) / 8;
            float bound = d * 1.001f + 8 * scaleError(d) + Float.MIN_NORMAL;
            for (int j = b; j < b + 32; j++) {
                float err = Math.abs(x[j] - y[j]);
                assertTrue(err <= bound, "x=" + x[j] + " decoded " + y[j] + " step " + d);
                sq += (double) err * err / ((double) d * d + 1e-60);
            }
        }
        // Rounding to a grid leaves an RMS error of about step/sqrt(12) ≈ 0.29 steps.
        assertTrue(Math.sqrt(sq / x.length) < 0.45, "rms error " + Math.sqrt(sq / x.length) + " steps");
    }

    @Property(tries = 200)
    void f16IsWithinHalfAnUlpOfF16(@ForAll("blocks") float[] x) {
        float[] y = roundTrip(x, GgmlType.F16);
        for (int i = 0; i < x.length; i++) {
            // f16 keeps 11 significant bits in its normal range; below 2^-14 its steps are 2^-24.
            float tol = Math.max(Math.abs(x[i]) * 0x1p-11f, 0x1p-25f);
            assertTrue(Math.abs(x[i] - y[i]) <= tol, x[i] + " -> " + y[i]);
        }
    }

    @Property(tries = 100)
    void f32IsExact(@ForAll("blocks") float[] x) {
        float[] y = roundTrip(x, GgmlType.F32);
        for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]));
    }

    @Property(tries = 100)
    void zeroBlocksStayZero(@ForAll("blocks") float[] x) {
        java.util.Arrays.fill(x, 0, 32, 0f);
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            float[] y = roundTrip(x, t);
            for (int j = 0; j < 32; j++) assertEquals(0f, y[j], 0f, t + " value " + j); // -0 allowed
        }
    }
}
