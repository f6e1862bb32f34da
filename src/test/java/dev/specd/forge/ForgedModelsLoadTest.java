package dev.specd.forge;

import dev.specd.TestModels;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of file the forge writes is accepted by llama.cpp and decodes to finite logits. */
class ForgedModelsLoadTest {

    static final String PROMPT = "Once upon a time";

    @TempDir
    Path dir;

    /** Logits after the prompt, from a fresh model and context. */
    static float[] logits(Path model, int expectedLayers, int expectedEmbd) {
        try (ModelBackend m = LlamaBackend.load(model, LoadOptions.DEFAULT);
             ModelContext ctx = m.newContext(ContextOptions.of(64, 1).withF32KvCache(true));
             Sequence seq = ctx.openSequence()) {
            assertEquals(expectedLayers, m.info().layers());
            assertEquals(expectedEmbd, m.info().embeddingLength());
            assertEquals(512, m.vocab().size());
            int[] tokens = m.vocab().tokenize(PROMPT, true, false);
            float[] row = seq.decode(tokens, tokens.length - 1)[0];
            for (float x : row) assertTrue(Float.isFinite(x), "non-finite logit in " + model.getFileName());
            return row;
        }
    }

    static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void randomModelLoads() {
        Path p = Forge.random(dir.resolve("random.gguf"),
                new RandomSpec(128, 384, 2, 4, 2, TestModels.stories260K(), 256, 9, GgmlType.F16)).path();
        logits(p, 2, 128);
    }

    @Test
    void truncatedModelLoads() {
        logits(Forge.truncate(TestModels.stories260K(), dir.resolve("t.gguf"), 2).path(), 2, 64);
    }

    /** Quantised expansions stay close to the source: Q8_0 within a few percent of the logit range. */
    @Test
    void quantisedExpansionsLoadAndStayClose() {
        float[] source = logits(TestModels.stories260K(), 5, 64);
        Path f32 = Forge.expand(TestModels.stories260K(), dir.resolve("e.gguf"),
                new ExpandSpec(128, 256, 6, 0, 3, GgmlType.F32)).path();
        float q8 = maxDiff(source, logits(Forge.quantize(f32, dir.resolve("q8.gguf"), GgmlType.Q8_0).path(), 6, 128));
        float q4 = maxDiff(source, logits(Forge.quantize(f32, dir.resolve("q4.gguf"), GgmlType.Q4_0).path(), 6, 128));
        float f16 = maxDiff(source, logits(Forge.expand(TestModels.stories260K(), dir.resolve("h.gguf"),
                new ExpandSpec(128, 256, 6, 0, 3, GgmlType.F16)).path(), 6, 128));
        assertTrue(f16 < 0.1f, "f16 " + f16);
        assertTrue(q8 < 0.5f, "q8_0 " + q8);
        assertTrue(q4 < 5f, "q4_0 " + q4);
        assertTrue(q4 > q8, "q4_0 (" + q4 + ") should lose more than q8_0 (" + q8 + ")");
    }
}
