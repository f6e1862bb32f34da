package dev.specd.forge;

import dev.specd.TestModels;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forge's central promise, checked in llama.cpp itself: an ε = 0 expansion computes the source's
 * logits (to float rounding), and ε > 0 perturbs them by a bounded amount.
 */
class ExpandExactnessTest {

    static final List<String> PROMPTS = List.of("Once upon a time", "Lily wanted to play with", "The big dog");
    static final int STEPS = 30;
    /** forged-models.md measured 1.3e-5 with F32 weights and an F32 KV cache (largest |logit| ≈ 22). */
    static final float EXACT_TOLERANCE = 1e-3f;

    @TempDir
    static Path dir;
    static Path exact;
    static Path perturbed;

    @BeforeAll
    static void forge() {
        Path src = TestModels.stories260K();
        // ff 512 and embd 256 keep every matrix a multiple of 32 wide; F32 so only summation order differs.
        exact = Forge.expand(src, dir.resolve("exact.gguf"), new ExpandSpec(256, 512, 8, 0, 7, GgmlType.F32)).path();
        perturbed = Forge.expand(src, dir.resolve("eps.gguf"), new ExpandSpec(256, 512, 8, 0.05, 7, GgmlType.F32)).path();
    }

    /** Greedy decoding of each prompt: the logits row at every step, following the model's own choices. */
    record Run(List<int[]> tokens, List<float[]> logits) {
    }

    static List<Run> greedy(Path model) {
        List<Run> runs = new ArrayList<>();
        try (ModelBackend m = LlamaBackend.load(model, LoadOptions.DEFAULT);
             ModelContext ctx = m.newContext(ContextOptions.of(256, 1).withF32KvCache(true))) {
            for (String prompt : PROMPTS) {
                try (Sequence seq = ctx.openSequence()) {
                    int[] tokens = m.vocab().tokenize(prompt, true, false);
                    float[][] rows = seq.decode(tokens, tokens.length - 1);
                    List<float[]> logits = new ArrayList<>();
                    int[] chosen = new int[STEPS];
                    for (int s = 0; s < STEPS; s++) {
                        float[] row = rows[rows.length - 1];
                        logits.add(row);
                        chosen[s] = argmax(row);
                        rows = seq.decode(new int[] {chosen[s]}, 0);
                    }
                    runs.add(new Run(List.of(chosen), logits));
                }
            }
        }
        return runs;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Largest |a − b| over the steps both runs share a history (identical tokens so far). */
    static float maxDiff(Run a, Run b) {
        float max = 0;
        for (int s = 0; s < STEPS; s++) {
            float[] x = a.logits().get(s);
            float[] y = b.logits().get(s);
            assertEquals(x.length, y.length);
            for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
            if (a.tokens().getFirst()[s] != b.tokens().getFirst()[s]) break; // histories diverge from here
        }
        return max;
    }

    @Test
    void epsilonZeroReproducesTheSourceLogits() {
        List<Run> source = greedy(TestModels.stories260K());
        List<Run> expanded = greedy(exact);
        for (int p = 0; p < PROMPTS.size(); p++) {
            assertArrayEquals(source.get(p).tokens().getFirst(), expanded.get(p).tokens().getFirst(), PROMPTS.get(p));
            float diff = maxDiff(source.get(p), expanded.get(p));
            assertTrue(diff < EXACT_TOLERANCE, PROMPTS.get(p) + ": max |logit difference| " + diff);
        }
    }

    @Test
    void positiveEpsilonPerturbsTheLogitsBoundedly() {
        List<Run> source = greedy(TestModels.stories260K());
        List<Run> noisy = greedy(perturbed);
        float worst = 0;
        for (int p = 0; p < PROMPTS.size(); p++) worst = Math.max(worst, maxDiff(source.get(p), noisy.get(p)));
        // Clearly more than rounding, yet far below the logits' own scale (|logit| up to ~22).
        assertTrue(worst > 10 * EXACT_TOLERANCE, "ε = 0.05 changed the logits by only " + worst);
        assertTrue(worst < 10, "ε = 0.05 changed the logits by " + worst);
    }
}
