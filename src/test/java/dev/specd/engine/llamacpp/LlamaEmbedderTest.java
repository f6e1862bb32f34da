package dev.specd.engine.llamacpp;

import dev.specd.TestModels;
import dev.specd.engine.Embedder;
import dev.specd.engine.LoadOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pooled embeddings through llama.cpp: normalised, deterministic, independent of what was embedded before. */
class LlamaEmbedderTest {

    @Test
    void vectorsAreNormalisedAndRepeatable() {
        try (LlamaBackend m = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
             Embedder e = m.newEmbedder(128, 1)) {
            int[] a = m.vocab().tokenize("Once upon a time", true, false);
            int[] b = m.vocab().tokenize("The dog ran to the park", true, false);
            List<float[]> first = e.embed(List.of(a, b));
            assertEquals(2, first.size());
            assertEquals(64, first.getFirst().length);
            double norm = 0;
            for (float x : first.getFirst()) norm += x * x;
            assertEquals(1.0, norm, 1e-5);
            assertArrayEquals(first.getFirst(), e.embed(List.of(a)).getFirst(), 1e-6f);
        }
    }
}
