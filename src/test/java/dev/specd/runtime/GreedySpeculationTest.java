package dev.specd.runtime;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.DraftSelection;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.LocalEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy speculation on the stories260K pair: lossless speculation (and a cascade with τ = 1) must
 * emit exactly the target's own greedy tokens. The only allowed difference is at a position where
 * the target's two best logits are within {@link #TIE_TOLERANCE}: a verify batch computes the
 * logits in another order than a one-token decode (with the F16 KV cache they differ by up to
 * ~3e-4), which may flip a near-tie. Such positions are counted and printed.
 */
class GreedySpeculationTest {

    static final float TIE_TOLERANCE = 2e-3f;
    static final int TOKENS = 48;
    static final CascadeSpec CASCADE = new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, 1.0, 0.0, 32);

    static final List<String> PROMPTS = List.of(
            "Once upon a time", "Lily wanted to play with the big red ball", "The little dog ran to the park and",
            "Tom had a new toy car.", "One day, a girl named Sue went to the store.", "The sun was hot and the sky",
            "Mom said, \"Time for bed!\"", "Ben and his friend found a box", "There was a happy bird in a tree.",
            "The cat was very hungry.", "Anna liked to draw pictures of", "A big truck came down the road.",
            "Once there was a kind old man who", "The children went to the beach", "Max was sad because his kite",
            "In the forest lived a small bear.", "She opened the door and saw", "It was a rainy day, so",
            "The boy wanted to help his dad", "At school, Mia learned about", "The frog jumped into the pond",
            "Grandma baked a cake for");

    static LocalEngine targetOnly;
    static LocalEngine lossless;
    static LocalEngine cascade;
    static LlamaBackend gapModel;

    @BeforeAll
    static void start() {
        targetOnly = Pair.loop(SpeculationMode.OFF, 0, CASCADE, false, 1);
        lossless = Pair.loop(SpeculationMode.LOSSLESS, 4, CASCADE, false, 1);
        cascade = Pair.loop(SpeculationMode.CASCADE, 8, CASCADE, false, 1);
        gapModel = LlamaBackend.load(Pair.TARGET, LoadOptions.DEFAULT);
    }

    @AfterAll
    static void stop() {
        targetOnly.close();
        lossless.close();
        cascade.close();
        gapModel.close();
    }

    static int[] prompt(String text) {
        return targetOnly.engine().target().vocab().tokenize(text, true, false);
    }

    @Test
    void losslessEmitsTheTargetsGreedyTokens() {
        int ties = compareWithTargetOnly(lossless, Pair.settings(SpeculationMode.LOSSLESS, 4, CASCADE)).ties();
        System.out.printf("lossless k=4: %d of %d prompts diverged at a near-tie%n", ties, PROMPTS.size());
    }

    @Test
    void cascadeWithTauOneIsLossless() {
        int ties = compareWithTargetOnly(cascade, Pair.settings(SpeculationMode.CASCADE, 8, CASCADE)).ties();
        System.out.printf("cascade tau=1: %d of %d prompts diverged at a near-tie%n", ties, PROMPTS.size());
    }

    @Test
    void cascadeBelowOneLeavesTokensUnverified() {
        CascadeSpec low = new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, 0.5, 0.0, 32);
        int verified = 0;
        int unverified = 0;
        int agree = 0;
        int total = 0;
        for (String text : PROMPTS) {
            int[] p = prompt(text);
            int[] reference = Pair.run(targetOnly, p, SamplingParams.greedy(), TOKENS, SpeculationSpec.OFF).tokens();
            Pair.Result r = Pair.run(cascade, p, SamplingParams.greedy(), TOKENS,
                    Pair.settings(SpeculationMode.CASCADE, 8, low));
            verified += r.summary().verifiedTokens();
            unverified += r.summary().unverifiedTokens();
            agree += commonPrefix(reference, r.tokens());
            total += reference.length;
        }
        double fraction = verified / (double) (verified + unverified);
        System.out.printf("cascade tau=0.5: verified fraction %.3f, agreement with the target (common prefix) %.3f%n",
                fraction, agree / (double) total);
        assertTrue(unverified > 0, "some tokens must go unverified below tau = 1");
        assertTrue(fraction < 1.0);
    }

    @Test
    void promptLookupAcceptsLongDraftsWhenTheOutputCopiesTheInput() {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play with her toys and her "
                + "friends. One day, Lily's mommy told her that they were going to the park to play. ";
        try (LocalEngine lookup = Pair.loop(SpeculationMode.LOSSLESS, 8, CASCADE, true, 1)) {
            Pair.Result r = Pair.run(lookup, prompt(story + story + "Once upon a time, there was a little girl named Lily. She loved"),
                    SamplingParams.greedy(), 40, Pair.settings(SpeculationMode.LOSSLESS, 8, CASCADE));
            double perRound = r.summary().accepted() / (double) r.summary().rounds();
            System.out.printf("prompt lookup: %d rounds, %d drafted, %d accepted, %.2f accepted per round%n",
                    r.summary().rounds(), r.summary().drafted(), r.summary().accepted(), perRound);
            assertTrue(perRound >= 3, "accepted per round: " + perRound);
            int[] reference = Pair.run(targetOnly, prompt(story + story + "Once upon a time, there was a little girl named Lily. She loved"),
                    SamplingParams.greedy(), 40, SpeculationSpec.OFF).tokens();
            assertEquals(Arrays.toString(reference), Arrays.toString(r.tokens()));
        }
    }

    @Test
    void suffixDecodingIsLosslessAndLearnsFromEarlierRequests() {
        SpeculationSpec s = Pair.settings(SpeculationMode.LOSSLESS, 8, CASCADE);
        try (LocalEngine suffix = Pair.engine(1, Pair.plan("suffix", 1,
                List.of(new DraftPlan.Suffix(32, 1.0, 0.1, true, 1 << 16)), s))) {
            Compared first = compareWithTargetOnly(suffix, s);
            // The second time round, the preset's tree holds every answer: drafts run long.
            Compared again = compareWithTargetOnly(suffix, s);
            System.out.printf("suffix: acceptance %.3f, then %.3f with earlier requests in the tree%n",
                    first.acceptance(), again.acceptance());
            assertTrue(again.acceptance() > 0.9 && again.acceptance() > first.acceptance() + 0.2,
                    "repeated requests: " + again + " after " + first);
        }
    }

    @Test
    void drafterSelectionIsLossless() {
        SpeculationSpec s = Pair.settings(SpeculationMode.LOSSLESS, 8, CASCADE).withSelection(DraftSelection.ADAPTIVE);
        try (LocalEngine select = Pair.engine(1, Pair.plan("select", 1, List.of(new DraftPlan.Model(Pair.draftRef(), 1024),
                new DraftPlan.Lookup(1, 4), new DraftPlan.Suffix(32, 1.0, 0.1, true, 1 << 16)), s))) {
            compareWithTargetOnly(select, s);
        }
    }

    @Test
    void aSpeculativeCascadeThatAlwaysDefersIsLossless() {
        // diff with alpha -1: max q < max p + 1 holds everywhere, so every position takes p.
        SpeculationSpec s = Pair.settings(SpeculationMode.CASCADE, 6, CascadeSpec.speculative(CascadeSpec.Rule.DIFF, -1));
        try (LocalEngine spec = Pair.engine(1, Pair.plan("speccascade", 1,
                List.of(new DraftPlan.Model(Pair.draftRef(), 1024)), s))) {
            compareWithTargetOnly(spec, s);
        }
    }

    record Compared(int ties, int drafted, int accepted) {
        double acceptance() {
            return accepted / (double) drafted;
        }
    }

    /** Runs every prompt both ways; returns how many diverged (each only at a near-tie). */
    private Compared compareWithTargetOnly(LocalEngine speculative, SpeculationSpec settings) {
        int ties = 0;
        int drafted = 0;
        int accepted = 0;
        for (String text : PROMPTS) {
            int[] p = prompt(text);
            int[] reference = Pair.run(targetOnly, p, SamplingParams.greedy(), TOKENS, SpeculationSpec.OFF).tokens();
            Pair.Result r = Pair.run(speculative, p, SamplingParams.greedy(), TOKENS, settings);
            drafted += r.summary().drafted();
            accepted += r.summary().accepted();
            assertEquals(TOKENS, r.tokens().length);
            int same = commonPrefix(reference, r.tokens());
            if (same == TOKENS) continue;
            int[] context = concat(p, Arrays.copyOf(reference, same));
            float gap = topTwoGap(context);
            assertTrue(gap < TIE_TOLERANCE, "prompt '" + text + "' diverged at token " + same + " where the target's top-2 gap is "
                    + gap + " (>= " + TIE_TOLERANCE + ")");
            ties++;
        }
        assertTrue(drafted > 0 && accepted > 0, "speculation must actually draft and accept");
        System.out.printf("%s: acceptance %.3f over %d drafted tokens%n", settings.mode().wireName(),
                accepted / (double) drafted, drafted);
        return new Compared(ties, drafted, accepted);
    }

    static float topTwoGap(int[] tokens) {
        try (ModelContext ctx = gapModel.newContext(ContextOptions.of(1024, 1)); Sequence s = ctx.openSequence()) {
            float[] l = s.decode(tokens, tokens.length - 1)[0];
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (float v : l) {
                if (v > first) {
                    second = first;
                    first = v;
                } else if (v > second) {
                    second = v;
                }
            }
            return first - second;
        }
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) n++;
        return n;
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
