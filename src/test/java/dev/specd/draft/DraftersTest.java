package dev.specd.draft;

import dev.specd.TestModels;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftersTest {

    @Test
    void promptLookupCopiesWhatFollowedTheLatestLongestMatch() {
        PromptLookupDrafter lookup = new PromptLookupDrafter(1, 3);
        //                 0  1  2  3  4  5  6  7  8  9 10 11
        int[] context = {5, 6, 7, 8, 9, 5, 6, 7, 1, 2, 6, 7};
        Draft d = lookup.propose(context, 0, 3, StopRule.NEVER);
        // "6 7" (n=2; "x 6 7" for n=3 does not recur) last occurred at 5..6, followed by 1 2 6.
        assertArrayEquals(new int[] {1, 2, 6}, d.tokens());
        assertTrue(d.q().stream().allMatch(q -> q == null), "lookup drafts carry no distribution");
        assertArrayEquals(new int[] {1}, lookup.propose(context, 0, 1, StopRule.NEVER).tokens());
        assertTrue(lookup.propose(new int[] {1, 2, 3, 4}, 0, 4, StopRule.NEVER).isEmpty(), "no repeat, no draft");
        // The continuation runs up to the end of the context (and so may repeat the suffix itself).
        assertArrayEquals(new int[] {4, 3}, new PromptLookupDrafter(1, 1).propose(new int[] {3, 4, 3}, 0, 5,
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
            try (ModelDrafter drafter = new ModelDrafter(ctx, params, new Sampler(params), new Confidence.MaxProb())) {
                assertArrayEquals(greedy, drafter.propose(prompt, prompt.length, 6, StopRule.NEVER).tokens());
                // After a rejection the caller shows a shorter context with another token: the
                // drafter must roll back and continue from there exactly as a fresh decode would.
                int[] other = Arrays.copyOf(prompt, prompt.length + 2);
                other[prompt.length] = greedy[0];
                other[prompt.length + 1] = 100;
                assertArrayEquals(greedy(ctx, other, 4), drafter.propose(other, prompt.length, 4, StopRule.NEVER).tokens());
                Draft stopped = drafter.propose(prompt, prompt.length, 6, c -> true);
                assertEquals(1, stopped.size(), "a stop rule that always fires ends the draft after one token");
            }
        }
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
