package dev.specd.draft;

import dev.specd.TestModels;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftersTest {

    @Test
    void promptLookupCopiesWhatFollowedTheLatestLongestMatch() {
        PromptLookupDrafter lookup = new PromptLookupDrafter(1, 3);
        //                 0  1  2  3  4  5  6  7  8  9 10 11
        int[] context = {5, 6, 7, 8, 9, 5, 6, 7, 1, 2, 6, 7};
        Draft d = lookup.propose(context, context.length, 0, 3, StopRule.NEVER);
        // "6 7" (n=2; "x 6 7" for n=3 does not recur) last occurred at 5..6, followed by 1 2 6.
        assertArrayEquals(new int[] {1, 2, 6}, d.tokens());
        assertTrue(d.q().stream().allMatch(q -> q == null), "lookup drafts carry no distribution");
        assertArrayEquals(new int[] {1}, lookup.propose(context, context.length, 0, 1, StopRule.NEVER).tokens());
        assertTrue(lookup.propose(new int[] {1, 2, 3, 4}, 4, 0, 4, StopRule.NEVER).isEmpty(), "no repeat, no draft");
        // The continuation runs up to the end of the context (and so may repeat the suffix itself).
        assertArrayEquals(new int[] {4, 3}, new PromptLookupDrafter(1, 1).propose(new int[] {3, 4, 3}, 3, 0, 5,
                StopRule.NEVER).tokens());
    }

    @Test
    void confidenceMeasures() {
        float[] uniform = new float[64];
        float[] peaked = new float[64];
        peaked[3] = 30f;
        assertEquals(1.0 / 64, new Confidence.MaxProb().of(uniform), 1e-9);
        assertEquals(0.0, new Confidence.Entropy().of(uniform), 1e-9);
        assertTrue(new Confidence.MaxProb().of(peaked) > 0.999);
        assertTrue(new Confidence.Entropy().of(peaked) > 0.99);
        assertTrue(StopRule.below(0.5).stopAfter(0.4));
        assertTrue(!StopRule.below(0.5).stopAfter(0.6));
    }

    @Test
    void modelDrafterProposesTheDraftModelsGreedyTokensAndFollowsRollbacks() {
        try (LlamaBackend model = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
             ModelContext ctx = model.newContext(ContextOptions.of(512, 2))) {
            int[] prompt = model.vocab().tokenize("Once upon a time", true, false);
            int[] greedy = greedy(ctx, prompt, 6);
            SamplingParams params = SamplingParams.greedy();
            try (ModelDrafter drafter = new ModelDrafter(ctx, params, new Sampler(params), new Confidence.MaxProb(), -1)) {
                assertArrayEquals(greedy, draft(ctx, drafter, prompt, prompt.length, 6));
                // After a rejection the caller shows a shorter context with another token: the
                // drafter must roll back and continue from there exactly as a fresh decode would.
                int[] other = Arrays.copyOf(prompt, prompt.length + 2);
                other[prompt.length] = greedy[0];
                other[prompt.length + 1] = 100;
                assertArrayEquals(greedy(ctx, other, 4), draft(ctx, drafter, other, prompt.length, 4));
                assertArrayEquals(greedy, draft(ctx, drafter, prompt, prompt.length, 6), "and back again");
            }
        }
    }

    /**
     * The engine batches the draft steps of every sequence drafting with the same model: three
     * drafters stepping together in one batch per step draw the same tokens, from the same logits
     * (to the tolerance of a batch summed in another order), as each drafting alone. An F32 KV cache,
     * so that F16 rounding of the cache (which compounds over the steps: 4e-3 measured) does not hide
     * a real difference.
     */
    @Test
    void batchedDraftStepsEqualSingleSequenceDrafting() {
        try (LlamaBackend model = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
             ModelContext ctx = model.newContext(ContextOptions.of(1536, 3).withF32KvCache(true))) {
            String[] texts = {"Once upon a time", "The little dog ran to the", "Lily and her mom went"};
            int[][] prompts = new int[texts.length][];
            for (int i = 0; i < texts.length; i++) prompts[i] = model.vocab().tokenize(texts[i], true, false);
            SamplingParams params = SamplingParams.defaults().withTemperature(0.8).withSeed(3);
            int steps = 8;
            int[][] alone = new int[texts.length][];
            float[][][] aloneLogits = new float[texts.length][steps][];
            for (int i = 0; i < texts.length; i++) {
                try (ModelDrafter d = new ModelDrafter(ctx, params, new Sampler(params.withSeed(i)), new Confidence.MaxProb(), -1)) {
                    alone[i] = new int[steps];
                    DecodeStep step = d.begin(prompts[i], prompts[i].length, prompts[i].length, steps);
                    for (int j = 0; j < steps; j++) {
                        float[] logits = ctx.decode(List.of(step)).getFirst()[0];
                        aloneLogits[i][j] = logits;
                        alone[i][j] = d.sample(logits).token();
                        step = d.extend(alone[i][j]);
                    }
                }
            }
            List<ModelDrafter> drafters = new ArrayList<>();
            List<DecodeStep> batch = new ArrayList<>();
            for (int i = 0; i < texts.length; i++) {
                ModelDrafter d = new ModelDrafter(ctx, params, new Sampler(params.withSeed(i)), new Confidence.MaxProb(), -1);
                drafters.add(d);
                batch.add(d.begin(prompts[i], prompts[i].length, prompts[i].length, steps));
            }
            double worst = 0;
            for (int j = 0; j < steps; j++) {
                List<float[][]> rows = ctx.decode(batch);
                List<DecodeStep> next = new ArrayList<>();
                for (int i = 0; i < texts.length; i++) {
                    float[] logits = rows.get(i)[0];
                    for (int t = 0; t < logits.length; t++) worst = Math.max(worst, Math.abs(logits[t] - aloneLogits[i][j][t]));
                    int token = drafters.get(i).sample(logits).token();
                    assertEquals(alone[i][j], token, "sequence " + i + " step " + j);
                    next.add(drafters.get(i).extend(token));
                }
                batch = next;
            }
            drafters.forEach(ModelDrafter::close);
            System.out.printf("batched vs single-sequence draft logits: max |diff| %.2e%n", worst);
            assertTrue(worst < 1e-3, "max |diff| " + worst);
        }
    }

    /** Drives a model drafter as the engine does, one decode step per token, and returns its draft. */
    private static int[] draft(ModelContext ctx, ModelDrafter drafter, int[] tokens, int promptLength, int n) {
        int[] out = new int[n];
        DecodeStep step = drafter.begin(tokens, tokens.length, promptLength, n);
        for (int i = 0; i < n; i++) {
            out[i] = drafter.sample(ctx.decode(List.of(step)).getFirst()[0]).token();
            step = drafter.extend(out[i]);
        }
        return out;
    }

    private static int[] greedy(ModelContext ctx, int[] prompt, int n) {
        try (Sequence s = ctx.openSequence()) {
            float[] logits = s.decode(prompt, prompt.length - 1)[0];
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int t = 1; t < logits.length; t++) if (logits[t] > logits[best]) best = t;
                out[i] = best;
                logits = s.decode(new int[] {best}, 0)[0];
            }
            return out;
        }
    }
}
