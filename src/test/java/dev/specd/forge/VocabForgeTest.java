package dev.specd.forge;

import dev.specd.TestModels;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.VocabularyCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code forge vocab} and {@code forge random --vocab}: real vocabulary sizes for the same models. */
class VocabForgeTest {

    static final String PROMPT = "Once upon a time, there was a little girl named Lily.";

    @TempDir
    Path dir;

    @Test
    void growsTheVocabularyDeterministicallyAndKeepsWhatTheModelWrites() {
        Path grown = Forge.vocab(TestModels.stories260K(), dir.resolve("a.gguf"), new VocabSpec(32_000, 42)).path();
        ForgeResult again = Forge.vocab(TestModels.stories260K(), dir.resolve("b.gguf"), new VocabSpec(32_000, 42));
        assertEquals(Forge.sha256(grown), again.sha256(), "same recipe, same bytes");
        assertNotEquals(Forge.sha256(grown),
                Forge.vocab(TestModels.stories260K(), dir.resolve("c.gguf"), new VocabSpec(32_000, 7)).sha256());
        try (GgufFile f = GgufFile.open(grown)) {
            assertEquals(32_000, VocabExtension.size(f.metadata()));
            assertEquals(32_000, f.require("tokenizer.ggml.scores").asArray().items().size());
            assertEquals(32_000, f.require("tokenizer.ggml.token_type").asArray().items().size());
            assertEquals(32_000, f.requireTensor("output.weight").rows());
            assertEquals(32_000, f.requireTensor("token_embd.weight").rows());
            assertEquals("vocab", f.require("specd.forge.op").asString());
        }
        try (LlamaBackend source = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
             LlamaBackend big = LlamaBackend.load(grown, LoadOptions.DEFAULT);
             ModelContext sc = source.newContext(ContextOptions.of(128, 1).withF32KvCache(true));
             ModelContext bc = big.newContext(ContextOptions.of(128, 1).withF32KvCache(true));
             Sequence s = sc.openSequence();
             Sequence b = bc.openSequence()) {
            assertEquals(32_000, big.vocab().size());
            assertEquals("<specd_extra_31999>", big.vocab().tokenText(31_999));
            int[] tokens = source.vocab().tokenize(PROMPT, true, false);
            assertArrayEquals(tokens, big.vocab().tokenize(PROMPT, true, false), "ordinary text never uses the new tokens");
            float[][] small = s.decode(tokens, 0);
            float[][] large = b.decode(tokens, 0);
            for (int r = 0; r < small.length; r++) {
                // The real tokens' logits are the source's; the new ones sit far below the best.
                assertArrayEquals(small[r], Arrays.copyOf(large[r], 512), 1e-4f);
                float best = max(small[r], 0, 512);
                assertTrue(max(large[r], 512, 32_000) < best - 8, "row " + r + ": extra tokens stay improbable");
            }
        }
    }

    @Test
    void aGrownDraftAndItsExpansionPassTheVocabularyCheck() {
        Path draft = Forge.vocab(TestModels.stories260K(), dir.resolve("draft.gguf"), new VocabSpec(40_000, 42)).path();
        Path target = Forge.expand(draft, dir.resolve("target.gguf"), new ExpandSpec(128, 256, 6, 0.02, 3, GgmlType.F16))
                .path();
        try (LlamaBackend d = LlamaBackend.load(draft, LoadOptions.DEFAULT);
             LlamaBackend t = LlamaBackend.load(target, LoadOptions.DEFAULT);
             LlamaBackend stories = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT)) {
            assertEquals(40_000, t.vocab().size());
            assertDoesNotThrow(() -> VocabularyCheck.check(t.vocab(), d.vocab(), "pair.yaml"));
            // The original draft differs from the grown target by more than llama.cpp's padding allowance.
            assertThrows(RuntimeException.class, () -> VocabularyCheck.check(t.vocab(), stories.vocab(), "pair.yaml"));
        }
    }

    @Test
    void randomModelsTakeARealTokenizerToAnySize() {
        Path p = Forge.random(dir.resolve("r.gguf"), new RandomSpec(8, 32, 1, 2, 2, TestModels.tinyRandomLlama2(), 256, 42,
                GgmlType.F16, 50_000)).path();
        try (LlamaBackend m = LlamaBackend.load(p, LoadOptions.DEFAULT);
             LlamaBackend llama2 = LlamaBackend.load(TestModels.tinyRandomLlama2(), LoadOptions.DEFAULT)) {
            assertEquals(50_000, m.vocab().size());
            assertEquals(llama2.vocab().tokenText(31_999), m.vocab().tokenText(31_999));
            assertArrayEquals(llama2.vocab().tokenize(PROMPT, true, false), m.vocab().tokenize(PROMPT, true, false));
        }
    }

    @Test
    void recipesNameTheNewOperations() {
        Path grown = Forge.forge("vocab", TestModels.stories260K(), Map.of("vocab", "1000"), dir.resolve("v.gguf")).path();
        try (GgufFile f = GgufFile.open(grown)) {
            assertEquals(1000, VocabExtension.size(f.metadata()));
        }
        Path random = Forge.forge("random", TestModels.stories260K(), Map.of("embd", "16", "ff", "32", "layers", "1",
                "heads", "2", "vocab", "600"), dir.resolve("r.gguf")).path();
        try (GgufFile f = GgufFile.open(random)) {
            assertEquals(600, f.requireTensor("output.weight").rows());
        }
        IllegalArgumentException smaller = assertThrows(IllegalArgumentException.class, () -> Forge.forge("vocab",
                TestModels.stories260K(), Map.of("vocab", "100"), dir.resolve("s.gguf")));
        assertTrue(smaller.getMessage().contains("only adds tokens"), smaller.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Forge.forge("vocab",
                TestModels.stories260K(), Map.of("vocab", "1000", "size", "3"), dir.resolve("u.gguf")));
        assertTrue(unknown.getMessage().contains("size"), unknown.getMessage());
    }

    private static float max(float[] row, int from, int to) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) m = Math.max(m, row[i]);
        return m;
    }
}
