package dev.specd.forge;

import dev.specd.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forge operations on stories260K, checked by reading the files they write. */
class ForgeTest {

    static final ExpandSpec SPEC = new ExpandSpec(256, 512, 8, 0, 11, GgmlType.F32);

    @TempDir
    static Path dir;
    static Path stories;
    static ForgeResult exact;

    @BeforeAll
    static void forge() {
        stories = TestModels.stories260K();
        exact = Forge.expand(stories, dir.resolve("exact.gguf"), SPEC);
    }

    @Test
    void expandIsDeterministicAndSeeded() throws java.io.IOException {
        ExpandSpec noisy = new ExpandSpec(128, 256, 7, 0.02, 5, GgmlType.F16);
        ForgeResult a = Forge.expand(stories, dir.resolve("a.gguf"), noisy);
        ForgeResult b = Forge.expand(stories, dir.resolve("b.gguf"), noisy);
        ForgeResult otherSeed = Forge.expand(stories, dir.resolve("c.gguf"),
                new ExpandSpec(128, 256, 7, 0.02, 6, GgmlType.F16));
        assertEquals(a.sha256(), b.sha256());
        assertEquals(a.sha256(), Forge.sha256(a.path()));
        assertEquals(Files.size(a.path()), a.bytes());
        assertNotEquals(a.sha256(), otherSeed.sha256());
        assertEquals(a.bytes(), otherSeed.bytes());
    }

    @Test
    void expandWritesTheMetadataLlamaCppNeeds() {
        try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(exact.path())) {
            assertEquals(256, f.require("llama.embedding_length").asInt());
            assertEquals(512, f.require("llama.feed_forward_length").asInt());
            assertEquals(8, f.require("llama.block_count").asInt());
            assertEquals(8, f.require("llama.attention.head_count").asInt());
            assertEquals(4, f.require("llama.attention.head_count_kv").asInt());
            assertEquals(8, f.require("llama.attention.key_length").asInt());
            assertEquals(8, f.require("llama.attention.value_length").asInt());
            assertEquals(8, f.require("llama.rope.dimension_count").asInt());
            assertEquals((float) (1e-5f * 64.0 / 256), (float) f.require("llama.attention.layer_norm_rms_epsilon").asDouble());
            assertEquals(0, f.require("general.file_type").asInt());
            src.metadata().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) assertEquals(v, f.require(k), k);
            });
            assertEquals("expand", f.require("specd.forge.op").asString());
            assertEquals(GgufReadWriteTest.STORIES_SHA, f.require("specd.forge.source_sha256").asString());
            assertEquals("embd=256 ff=512 layers=8 epsilon=0.0 seed=11 type=f32", f.require("specd.forge.params").asString());
            assertEquals("0,2,4,5,7", f.require("specd.forge.placement").asString());
            assertTrue(f.require("general.name").asString().contains("stories260K"));
            assertEquals(3 + 8 * 9, f.tensors().size());
            assertEquals(exact.parameters(), Forge.parameterCount(exact.path()));
        }
    }

    @Test
    void blockPlacementSpreadsTheOriginalsEvenly() {
        assertArrayEquals(new int[] {0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, 3, -1, -1, -1, 4}, Expander.placement(5, 16));
        assertArrayEquals(new int[] {0, 1, 2}, Expander.placement(3, 3));
        assertArrayEquals(new int[] {0, -1}, Expander.placement(1, 2));
    }

    /** At ε = 0 every weight that writes into the residual stream is zero outside the original. */
    @Test
    void epsilonZeroKeepsTheOriginalsAndZeroesTheResidualWriters() {
        try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(exact.path())) {
            assertCorner(src.floats("token_embd.weight"), 64, 512, f.floats("token_embd.weight"), 256, 0);
            // Block 3 of the source sits at position 5 (see the placement above).
            assertCorner(src.floats("blk.3.attn_output.weight"), 64, 64, f.floats("blk.5.attn_output.weight"), 64, 0);
            assertCorner(src.floats("blk.3.ffn_down.weight"), 172, 64, f.floats("blk.5.ffn_down.weight"), 512, 0);
            assertCorner(src.floats("blk.3.attn_q.weight"), 64, 64, f.floats("blk.5.attn_q.weight"), 256, Float.NaN);
            for (String w : List.of("attn_output", "ffn_down")) {
                for (float x : f.floats("blk.1." + w + ".weight")) assertEquals(0f, x, "identity block " + w);
            }
            // RMSNorm weights scaled by sqrt(64/256) = 1/2, exactly.
            float[] norm = src.floats("blk.3.ffn_norm.weight");
            float[] scaled = f.floats("blk.5.ffn_norm.weight");
            for (int i = 0; i < 64; i++) assertEquals(norm[i] / 2, scaled[i]);
        }
    }

    /**
     * {@code big} [bigCols × rows′] holds {@code small} [cols × rows] in its top-left corner and
     * {@code fill} in the rest of the rows that exist in both (NaN: anything but zero there).
     */
    static void assertCorner(float[] small, int cols, int rows, float[] big, int bigCols, float fill) {
        for (int r = 0; r < big.length / bigCols; r++) {
            for (int c = 0; c < bigCols; c++) {
                float v = big[r * bigCols + c];
                if (r < rows && c < cols) {
                    assertEquals(small[r * cols + c], v, "kept value at row " + r + " col " + c);
                } else if (Float.isNaN(fill)) {
                    assertNotEquals(0f, v, "random value at row " + r + " col " + c);
                } else {
                    assertEquals(fill, v, "padding at row " + r + " col " + c);
                }
            }
        }
    }

    @Test
    void epsilonFillsTheResidualWritersAtTheRequestedScale() {
        Path noisy = Forge.expand(stories, dir.resolve("noisy.gguf"),
                new ExpandSpec(256, 512, 8, 0.1, 11, GgmlType.F32)).path();
        try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(noisy); GgufFile e0 = GgufFile.open(exact.path())) {
            double sigma = Expander.rms(src.floats("blk.0.ffn_down.weight"));
            // An identity block's down projection: ε·σ·sqrt(ff/ff′) = 0.1·σ·sqrt(172/512).
            double rms = Expander.rms(f.floats("blk.1.ffn_down.weight"));
            double expected = 0.1 * sigma * Math.sqrt(172.0 / 512);
            assertEquals(expected, rms, expected * 0.05);
            // Weights that only read the stream do not depend on ε.
            assertArrayEquals(e0.floats("blk.1.ffn_up.weight"), f.floats("blk.1.ffn_up.weight"));
            assertArrayEquals(e0.floats("output.weight"), f.floats("output.weight"));
        }
    }

    @Test
    void expandRejectsShrinkingAndBadParameters() {
        assertThrows(IllegalArgumentException.class,
                () -> Forge.expand(stories, dir.resolve("x.gguf"), new ExpandSpec(32, 512, 8, 0, 1, GgmlType.F32)));
        assertThrows(IllegalArgumentException.class,
                () -> Forge.expand(stories, dir.resolve("x.gguf"), new ExpandSpec(64, 172, 4, 0, 1, GgmlType.F32)));
        assertThrows(IllegalArgumentException.class, () -> new ExpandSpec(64, 172, 5, -0.1, 1, GgmlType.F32));
        assertThrows(IllegalArgumentException.class, () -> new ExpandSpec(64, 172, 5, 0, 1, GgmlType.Q4_K));
        assertThrows(IllegalArgumentException.class, () -> Forge.expand(stories, stories, SPEC));
    }

    @Test
    void truncateKeepsTheFirstBlocks() {
        ForgeResult r = Forge.truncate(stories, dir.resolve("t.gguf"), 2);
        try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(r.path())) {
            assertEquals(2, f.require("llama.block_count").asInt());
            assertEquals(3 + 2 * 9, f.tensors().size());
            assertTrue(f.tensor("blk.2.attn_q.weight").isEmpty());
            for (GgufTensorInfo t : f.tensors()) {
                assertArrayEquals(src.floats(t.name()), f.floats(t), t.name());
            }
            assertEquals("truncate", f.require("specd.forge.op").asString());
        }
        assertEquals(Forge.sha256(r.path()), Forge.truncate(stories, dir.resolve("t2.gguf"), 2).sha256());
        assertThrows(IllegalArgumentException.class, () -> Forge.truncate(stories, dir.resolve("t3.gguf"), 0));
        assertThrows(IllegalArgumentException.class, () -> Forge.truncate(stories, dir.resolve("t3.gguf"), 6));
    }

    @Test
    void quantizeConvertsWholeBlockMatricesOnly() {
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16)) {
            ForgeResult r = Forge.quantize(stories, dir.resolve("q-" + type + ".gguf"), type);
            try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(r.path())) {
                assertEquals(type.llamaFileType().orElseThrow(), f.require("general.file_type").asInt());
                for (GgufTensorInfo t : f.tensors()) {
                    // ffn_down rows are 172 wide: no whole 32-value blocks, so they stay F32 for Q types.
                    GgmlType expected = t.rank() == 1 || !type.fitsRow(t.rowLength()) ? GgmlType.F32 : type;
                    assertEquals(expected, t.type(), t.name());
                    float[] a = src.floats(t.name());
                    float[] b = f.floats(t);
                    double err = 0;
                    for (int i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
                    double bound = switch (t.type()) {
                        case Q4_0 -> 0.2 * maxAbs(a);     // one step is max/8 of a block
                        case Q8_0 -> 0.01 * maxAbs(a);    // half a step is max/254
                        case F16 -> 1e-3 * maxAbs(a);
                        default -> 0;
                    };
                    assertTrue(err <= bound, t.name() + " " + t.type() + " error " + err + " > " + bound);
                }
            }
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void randomModelHasTheShapeAndTheTokenizer() {
        RandomSpec spec = new RandomSpec(96, 256, 3, 6, 2, stories, 512, 3, GgmlType.F32);
        ForgeResult r = Forge.random(dir.resolve("r.gguf"), spec);
        try (GgufFile src = GgufFile.open(stories); GgufFile f = GgufFile.open(r.path())) {
            assertEquals(new LlamaShape(96, 256, 3, 6, 2, 16, 16, 512, 16, 1e-5f), LlamaShape.of(f));
            src.metadata().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) assertEquals(v, f.require(k), k);
            });
            assertEquals(List.of(96L, 32L), f.requireTensor("blk.2.attn_k.weight").dims());
            assertEquals(RandomSpec.SIGMA, Expander.rms(f.floats("blk.0.ffn_up.weight")), 0.001);
            for (float x : f.floats("blk.1.attn_norm.weight")) assertEquals(1f, x);
            long expected = 2L * 512 * 96 + 96 + 3 * (2 * 96 + 96 * 96 * 2 + 2 * 96 * 32 + 3 * 96 * 256);
            assertEquals(expected, r.parameters());
        }
        assertEquals(r.sha256(), Forge.random(dir.resolve("r2.gguf"), spec).sha256());
    }

    @Test
    void recipesDispatchByName() {
        Map<String, String> params = Map.of("embd", "256", "ff", "512", "layers", "8", "epsilon", "0",
                "seed", "11", "type", "F32");
        assertEquals(exact.sha256(), Forge.forge("expand", stories, params, dir.resolve("recipe.gguf")).sha256());
        Path truncated = Forge.forge("truncate", stories, Map.of("layers", "2"), dir.resolve("rt.gguf")).path();
        try (GgufFile f = GgufFile.open(truncated)) {
            assertEquals(2, f.require("llama.block_count").asInt());
        }
        Path quantized = Forge.forge("quantize", stories, Map.of("type", "q4_0"), dir.resolve("rq.gguf")).path();
        try (GgufFile f = GgufFile.open(quantized)) {
            assertEquals(GgmlType.Q4_0, f.requireTensor("output.weight").type());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Forge.forge("expand", stories, Map.of("embd", "256", "ff", "512", "layers", "8", "width", "3"),
                        dir.resolve("bad.gguf")));
        assertTrue(e.getMessage().contains("width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Forge.forge("expand", stories, Map.of("embd", "wide", "ff", "512", "layers", "8"), dir.resolve("bad.gguf")));
        assertTrue(e.getMessage().contains("embd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Forge.forge("truncate", stories, Map.of(), dir.resolve("bad.gguf")));
        assertThrows(IllegalArgumentException.class, () -> Forge.forge("melt", stories, Map.of(), dir.resolve("bad.gguf")));
    }

    @Test
    void parameterCountOfStories260K() {
        // 2 × 512 × 64 (embedding, output) + 64 (output norm) + 5 blocks × 45,440.
        assertEquals(292_800, Forge.parameterCount(stories));
    }
}
