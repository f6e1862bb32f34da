package dev.specd.forge;

import dev.specd.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufReadWriteTest {

    static final String STORIES_SHA = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
    static final String TINY_SHA = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

    @TempDir
    Path dir;

    @Test
    void readsStories260K() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            assertEquals(3, f.version());
            assertEquals("llama", f.require("general.architecture").asString());
            assertEquals(5, f.require("llama.block_count").asInt());
            assertEquals(64, f.require("llama.embedding_length").asInt());
            assertEquals(GgufValueType.UINT32, f.require("llama.embedding_length").type());
            assertEquals(1e-5f, (float) f.require("llama.attention.layer_norm_rms_epsilon").asDouble());
            assertEquals(512, f.require("tokenizer.ggml.tokens").asArray().items().size());
            assertEquals("<s>", f.require("tokenizer.ggml.tokens").asArray().items().get(1).asString());
            assertEquals(0xFFFF_FFFFL, f.require("tokenizer.ggml.padding_token_id").asLong());
            // File order is kept: the tokenizer comes first in this file.
            assertEquals("tokenizer.ggml.tokens", f.metadata().firstEntry().getKey());
            assertEquals(48, f.tensors().size());
            assertEquals(32, f.alignment());
            assertEquals(14176, f.dataOffset());
            GgufTensorInfo embd = f.requireTensor("token_embd.weight");
            assertEquals(List.of(64L, 512L), embd.dims());
            assertEquals(GgmlType.F32, embd.type());
            assertEquals(List.of(172L, 64L), f.requireTensor("blk.4.ffn_down.weight").dims());
            float[] norm = f.floats("output_norm.weight");
            assertEquals(64, norm.length);
            for (float x : norm) assertTrue(Float.isFinite(x) && x > 0, "norm weight " + x);
            assertEquals(LlamaShape.of(f), new LlamaShape(64, 172, 5, 8, 4, 8, 8, 512, 8, 1e-5f));
        }
    }

    @Test
    void readsF16Tensors() {
        try (GgufFile f = GgufFile.open(TestModels.tinyRandomLlama2())) {
            GgufTensorInfo embd = f.requireTensor("token_embd.weight");
            assertEquals(GgmlType.F16, embd.type());
            assertEquals(List.of(8L, 32000L), embd.dims());
            float[] v = f.floats(embd);
            assertEquals(256_000, v.length);
            double rms = Expander.rms(v);
            assertTrue(rms > 1e-4 && rms < 10, "implausible rms " + rms);
            assertEquals(32000, LlamaShape.of(f).vocab());
        }
    }

    @Test
    void copyingEveryTensorGivesByteIdenticalFiles() {
        assertEquals(STORIES_SHA, Forge.sha256(copy(TestModels.stories260K(), dir.resolve("s.gguf"))));
        assertEquals(TINY_SHA, Forge.sha256(copy(TestModels.tinyRandomLlama2(), dir.resolve("t.gguf"))));
    }

    static Path copy(Path src, Path out) {
        try (GgufFile f = GgufFile.open(src)) {
            GgufWriter.write(out, f.metadata(), f.tensors().stream().map(t -> OutTensor.copyOf(f, t)).toList());
        }
        return out;
    }

    @Test
    void everyValueTypeSurvivesAWriteAndRead() {
        LinkedHashMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put("u8", new GgufValue(GgufValueType.UINT8, 255L));
        m.put("i8", new GgufValue(GgufValueType.INT8, -128L));
        m.put("u16", new GgufValue(GgufValueType.UINT16, 65535L));
        m.put("i16", new GgufValue(GgufValueType.INT16, -32768L));
        m.put("u32", GgufValue.u32(4_000_000_000L));
        m.put("i32", GgufValue.i32(-7));
        m.put("f32", GgufValue.f32(-0.0f));
        m.put("bool", GgufValue.bool(true));
        m.put("string", GgufValue.string("Ünïcödé ☕ 日本"));
        m.put("u64", GgufValue.u64(-1L));
        m.put("i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        m.put("f64", new GgufValue(GgufValueType.FLOAT64, Math.PI));
        m.put("general.alignment", GgufValue.u32(64));
        m.put("nested", GgufValue.array(GgufValueType.ARRAY, List.of(
                GgufValue.array(GgufValueType.INT32, List.of(GgufValue.i32(1), GgufValue.i32(2))),
                GgufValue.array(GgufValueType.STRING, List.of()))));
        float[] data = {1, -2, 3.5f, 0};
        Path out = dir.resolve("types.gguf");
        long size = GgufWriter.write(out, m, List.of(
                OutTensor.ofFloats("a", List.of(4L), GgmlType.F32, () -> data),
                OutTensor.ofFloats("b", List.of(2L, 2L), GgmlType.F16, () -> data)));
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(size, f.fileSize());
            assertEquals(List.copyOf(m.entrySet()), List.copyOf(f.metadata().entrySet()));
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.requireTensor("b").offset());
            assertArrayEquals(data, f.floats("a"));
            assertArrayEquals(data, f.floats("b"));
        }
    }

    @Test
    void valuesAreCheckedAgainstTheirType() {
        assertThrows(IllegalArgumentException.class, () -> new GgufValue(GgufValueType.UINT8, 256L));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue(GgufValueType.UINT32, -1L));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue(GgufValueType.STRING, 3L));
        assertThrows(IllegalArgumentException.class,
                () -> GgufValue.array(GgufValueType.INT32, List.of(GgufValue.string("x"))));
    }

    @Test
    void writerRejectsDuplicateTensorsAndWrongSizes() {
        OutTensor a = OutTensor.ofFloats("a", List.of(2L), GgmlType.F32, () -> new float[2]);
        assertThrows(IllegalArgumentException.class,
                () -> GgufWriter.write(dir.resolve("d.gguf"), new LinkedHashMap<>(), List.of(a, a)));
        OutTensor wrong = OutTensor.ofFloats("w", List.of(4L), GgmlType.F32, () -> new float[3]);
        assertThrows(IllegalStateException.class,
                () -> GgufWriter.write(dir.resolve("w.gguf"), new LinkedHashMap<>(), List.of(wrong)));
        assertThrows(IllegalArgumentException.class,
                () -> OutTensor.ofFloats("q", List.of(40L), GgmlType.Q8_0, () -> new float[40]));
    }

    @Test
    void corruptFilesFailWithAMessage() throws IOException {
        Path notGguf = Files.write(dir.resolve("x.gguf"), "definitely not a model file at all".getBytes());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(notGguf));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());

        byte[] stories = Files.readAllBytes(TestModels.stories260K());
        Path header = Files.write(dir.resolve("h.gguf"), Arrays.copyOf(stories, 5000));
        e = assertThrows(GgufFormatException.class, () -> GgufFile.open(header));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path noData = Files.write(dir.resolve("n.gguf"), Arrays.copyOf(stories, stories.length - 100));
        e = assertThrows(GgufFormatException.class, () -> GgufFile.open(noData));
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    }
}
