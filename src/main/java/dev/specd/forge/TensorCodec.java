package dev.specd.forge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float encoding and decoding of tensor data, bit-compatible with ggml's reference code
 * ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}, {@code ggml_fp32_to_bf16}) so
 * that a quantised file matches what llama.cpp itself would write.
 */
public final class TensorCodec {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK = 32;

    private TensorCodec() {
    }

    /** Encodes values (whole rows, so whole blocks) into {@code type}'s on-disk bytes. */
    public static byte[] encode(float[] x, GgmlType type) {
        byte[] out = new byte[Math.toIntExact(type.bytesFor(x.length))];
        ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> bb.asFloatBuffer().put(x);
            case F16 -> {
                for (int i = 0; i < x.length; i++) bb.putShort(2 * i, Float.floatToFloat16(x[i]));
            }
            case BF16 -> {
                for (int i = 0; i < x.length; i++) bb.putShort(2 * i, toBf16(x[i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < x.length / QK; b++) q8Block(x, b * QK, bb, b * type.blockBytes());
            }
            case Q4_0 -> {
                for (int b = 0; b < x.length / QK; b++) q4Block(x, b * QK, bb, b * type.blockBytes());
            }
            default -> throw new UnsupportedOperationException("cannot encode tensors as " + type);
        }
        return out;
    }

    /** Decodes {@code n} values of {@code type} from {@code data}. */
    public static float[] decode(MemorySegment data, GgmlType type, int n) {
        if (data.byteSize() < type.bytesFor(n)) {
            throw new IllegalArgumentException(data.byteSize() + " bytes hold fewer than " + n + " " + type + " values");
        }
        float[] y = new float[n];
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, 0, y, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) y[i] = Float.float16ToFloat(data.get(I16, 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) y[i] = Float.intBitsToFloat((data.get(I16, 2L * i) & 0xFFFF) << 16);
            }
            case Q8_0 -> {
                for (int b = 0; b < n / QK; b++) {
                    long base = (long) b * type.blockBytes();
                    float d = Float.float16ToFloat(data.get(I16, base));
                    for (int j = 0; j < QK; j++) y[b * QK + j] = data.get(ValueLayout.JAVA_BYTE, base + 2 + j) * d;
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / QK; b++) {
                    long base = (long) b * type.blockBytes();
                    float d = Float.float16ToFloat(data.get(I16, base));
                    for (int j = 0; j < QK / 2; j++) {
                        int q = data.get(ValueLayout.JAVA_BYTE, base + 2 + j) & 0xFF;
                        y[b * QK + j] = ((q & 0x0F) - 8) * d;
                        y[b * QK + j + QK / 2] = ((q >>> 4) - 8) * d;
                    }
                }
            }
            default -> throw new UnsupportedOperationException("cannot decode " + type + " tensors");
        }
        return y;
    }

    /** One Q8_0 block: an f16 scale d = amax/127, then 32 int8 values round(x/d). */
    private static void q8Block(float[] x, int from, ByteBuffer out, int at) {
        float amax = 0;
        for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(at, Float.floatToFloat16(d));
        for (int j = 0; j < QK; j++) out.put(at + 2 + j, (byte) cInt(roundHalfAway(x[from + j] * id)));
    }

    /**
     * One Q4_0 block: d = m/-8 where m is the value of largest magnitude (sign kept), so m itself
     * maps to level 0 and the opposite side gets one level more; byte j packs level j (low nibble)
     * and level j+16 (high nibble).
     */
    private static void q4Block(float[] x, int from, ByteBuffer out, int at) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float v = x[from + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(at, Float.floatToFloat16(d));
        for (int j = 0; j < QK / 2; j++) {
            int lo = level4(x[from + j] * id);
            int hi = level4(x[from + QK / 2 + j] * id);
            out.put(at + 2 + j, (byte) (lo | hi << 4));
        }
    }

    private static int level4(float scaled) {
        // ggml truncates x + 8.5 toward zero to an int8 (a round-half-up of x + 8) and caps at 15.
        return Math.clamp((byte) cInt(scaled + 8.5f), 0, 15);
    }

    /**
     * A C float-to-int conversion as x86 performs it (cvttss2si): truncation, and the "integer
     * indefinite" 0x80000000 for NaN and out-of-range values, where Java would saturate. It only
     * matters for blocks whose scale is subnormal (1/d overflows to infinity): ggml then stores
     * level bytes 0, and so do we. The decoded values are 0 either way, since such a d is 0 in f16.
     */
    static int cInt(float v) {
        return Float.isNaN(v) || v >= 0x1p31f || v < -0x1p31f ? Integer.MIN_VALUE : (int) v;
    }

    /** C's roundf: halves go away from zero (Math.round would send -2.5 to -2). */
    static float roundHalfAway(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (float) Math.copySign(r, v);
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even, NaN kept quiet. */
    private static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }
}
