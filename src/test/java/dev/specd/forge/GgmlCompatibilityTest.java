package dev.specd.forge;

import dev.specd.engine.llamacpp.NativeLibrary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The encodings are byte-identical to ggml's own reference functions, called from the llama.cpp
 * library the engine uses, so a forged Q8_0/Q4_0 file is exactly what llama.cpp would write.
 */
class GgmlCompatibilityTest {

    static SymbolLookup lib;

    @BeforeAll
    static void open() throws Throwable {
        // The global arena: unloading an OpenMP-linked library while the JVM runs is not safe.
        lib = SymbolLookup.libraryLookup(NativeLibrary.resolve(), Arena.global());
        // Fills ggml's f16 -> f32 lookup table, which the dequantisers read.
        Linker.nativeLinker().downcallHandle(lib.find("llama_backend_init").orElseThrow(), FunctionDescriptor.ofVoid())
                .invokeExact();
    }

    static MethodHandle rowFunction(String name) {
        return Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    }

    /** Values of very different blocks: normal noise at many scales, ties, zeros, tiny numbers. */
    static float[] samples() {
        int blocks = 256;
        float[] x = new float[blocks * 32];
        Gaussian g = Gaussian.stream(1, "ggml-compat");
        for (int b = 0; b < blocks; b++) {
            double scale = Math.pow(10, (b % 13) - 6);
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                x[i] = switch (b % 5) {
                    case 0 -> (float) (g.nextGaussian() * scale);
                    case 1 -> (j - 16) * 0.5f;                // exact halves: rounding ties
                    case 2 -> j == 7 ? -3f : j * 0.1875f;     // the largest value is negative
                    case 3 -> b % 2 == 0 ? 0f : 1e-40f * j;   // zeros and subnormals
                    default -> (float) (g.nextDouble() * 2 - 1);
                };
            }
        }
        return x;
    }

    static byte[] native_(String function, float[] x, long outBytes) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment out = arena.allocate(outBytes);
            rowFunction(function).invokeExact(in, out, (long) x.length);
            return out.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Test
    void q8_0MatchesGgml() throws Throwable {
        float[] x = samples();
        assertArrayEquals(native_("quantize_row_q8_0_ref", x, GgmlType.Q8_0.bytesFor(x.length)),
                TensorCodec.encode(x, GgmlType.Q8_0));
    }

    @Test
    void q4_0MatchesGgml() throws Throwable {
        float[] x = samples();
        assertArrayEquals(native_("quantize_row_q4_0_ref", x, GgmlType.Q4_0.bytesFor(x.length)),
                TensorCodec.encode(x, GgmlType.Q4_0));
    }

    @Test
    void f16AndBf16MatchGgml() throws Throwable {
        float[] x = samples();
        assertArrayEquals(native_("ggml_fp32_to_fp16_row", x, 2L * x.length), TensorCodec.encode(x, GgmlType.F16));
        assertArrayEquals(native_("ggml_fp32_to_bf16_row_ref", x, 2L * x.length), TensorCodec.encode(x, GgmlType.BF16));
    }

    @Test
    void dequantisationMatchesGgml() throws Throwable {
        float[] x = samples();
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            byte[] encoded = TensorCodec.encode(x, type);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_BYTE, encoded);
                MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, x.length);
                String fn = "dequantize_row_" + type.displayName();
                rowFunction(fn).invokeExact(in, out, (long) x.length);
                assertArrayEquals(out.toArray(ValueLayout.JAVA_FLOAT),
                        TensorCodec.decode(MemorySegment.ofArray(encoded), type, x.length), fn);
            }
        }
    }
}
