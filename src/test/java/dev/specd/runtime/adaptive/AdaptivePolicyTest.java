package dev.specd.runtime.adaptive;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.SpeculationSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Draft-length policies on the {@link ScriptedPair}: acceptance is scripted, and so is the cost of
 * a verify decode — a CPU-like curve, T(n) = 10 ms + 5 ms·n (a fixed cost per decode plus a cost
 * per token in the batch) — so every decision is deterministic and the thresholds can be worked
 * out by hand: with one sequence, k = 1 pays only while α > 0.37; at α = 0.9 the best k is 4–5
 * (the policy takes the longest k within 2 % of the best, so 5–6).
 */
class AdaptivePolicyTest {

    static final IntToLongFunction CPU = n -> 10_000_000L + 5_000_000L * n;
    /**
     * Rounds the adaptive policy may take to turn speculation off once acceptance collapses from
     * 0.9 to 0.1: its request-level estimates forget with factor 0.9 a round, so about 11 rounds
     * bring α under the 0.37 break-even, plus a few for the prior and the sampling noise (13
     * measured with this script).
     */
    static final int DEOPTIMISE_WITHIN = 20;

    static SpeculationSpec settings(SpeculationPolicy policy, int k) {
        return new SpeculationSpec(SpeculationMode.LOSSLESS, k, CascadeSpec.DEFAULT,
                PolicySpec.DEFAULT.withPolicy(policy));
    }

    static PipelineProfile calibrated() {
        PipelineProfile profile = new PipelineProfile("scripted");
        for (int n = 1; n <= 40; n++) profile.costs().calibrateVerify(n, CPU.applyAsLong(n));
        return profile;
    }

    @Test
    void highAcceptanceMakesKGrowFromItsCautiousStart() {
        ScriptedPair pair = new ScriptedPair(settings(SpeculationPolicy.ADAPTIVE, 8), calibrated(), CPU, () -> 0.9, 4000);
        for (int i = 0; i < 60; i++) pair.round(1);
        List<Integer> k = pair.history();
        System.out.println("adaptive k at alpha 0.9: " + k);
        assertTrue(k.getFirst() <= 2, "a fresh profile starts cautious (prior alpha 0.6): " + k);
        double late = k.subList(40, 60).stream().mapToInt(Integer::intValue).average().orElseThrow();
        assertTrue(late >= 3, "k grew once acceptance proved high: " + k);
    }

    @Test
    void collapsingAcceptanceTurnsSpeculationOffAndPeriodicProbesBringItBack() {
        double[] alpha = {0.9};
        ScriptedPair pair = new ScriptedPair(settings(SpeculationPolicy.ADAPTIVE, 8), calibrated(), CPU, () -> alpha[0],
                4000);
        for (int i = 0; i < 40; i++) pair.round(1);
        assertTrue(pair.history().getLast() > 0, "speculating at alpha 0.9");
        alpha[0] = 0.1;
        int start = pair.history().size();
        int off = -1;
        for (int i = 0; i < 40 && off < 0; i++) {
            if (pair.round(1) == 0) off = i + 1;
        }
        System.out.println("alpha 0.9 -> 0.1: k " + pair.history().subList(start, pair.history().size()));
        assertTrue(off > 0 && off <= DEOPTIMISE_WITHIN, "k reached 0 after " + off + " rounds: " + pair.history());

        // Off, it still drafts a short probe every reprobe_every plain steps.
        int from = pair.history().size();
        for (int i = 0; i < 4 * PolicySpec.DEFAULT_REPROBE_EVERY; i++) pair.round(1);
        List<Integer> offPhase = pair.history().subList(from, pair.history().size());
        long probes = offPhase.stream().filter(x -> x > 0).count();
        assertTrue(probes >= 3 && probes <= 5, "about one probe per " + PolicySpec.DEFAULT_REPROBE_EVERY + " steps: "
                + offPhase);

        // Acceptance comes back: a probe sees it and speculation resumes.
        alpha[0] = 0.9;
        int back = -1;
        for (int i = 0; i < 6 * PolicySpec.DEFAULT_REPROBE_EVERY && back < 0; i++) {
            pair.round(1);
            List<Integer> h = pair.history();
            if (h.size() >= 3 && h.get(h.size() - 1) > 0 && h.get(h.size() - 2) > 0 && h.get(h.size() - 3) > 0) back = i;
        }
        assertTrue(back >= 0, "speculation resumed after acceptance recovered: " + pair.history());
    }

    @Test
    void moreConcurrentSequencesMeanASmallerK() {
        ScriptedPair pair = new ScriptedPair(settings(SpeculationPolicy.ADAPTIVE, 8), calibrated(), CPU, () -> 0.9, 4000);
        for (int i = 0; i < 60; i++) pair.round(1);
        AdaptiveLength policy = (AdaptiveLength) pair.length();
        int[] k = new int[5];
        int[] load = {1, 2, 4, 8, 16};
        for (int i = 0; i < load.length; i++) k[i] = policy.choose(load[i], 8);
        System.out.println("adaptive k by concurrent sequences 1,2,4,8,16 at alpha ~0.9: " + java.util.Arrays.toString(k));
        for (int i = 1; i < k.length; i++) assertTrue(k[i] <= k[i - 1], java.util.Arrays.toString(k));
        assertTrue(k[0] >= 3, java.util.Arrays.toString(k));
        // At 16 sequences the fixed cost per decode is split 16 ways: extra rows cost nearly their
        // full price. With T(n) = 10 + 5n one drafted token costs 1.89x the time of a plain step
        // (break-even at alpha 0.89), two cost 2.8x for at most 2.71 tokens: never more than one.
        assertTrue(k[4] <= 1, java.util.Arrays.toString(k));
    }

    @Test
    void heuristicAddsTwoWhenAllAreAcceptedAndDropsOneOtherwise() {
        // Without the confidence stop, so that every draft is as long as the schedule says.
        SpeculationSpec heuristic = new SpeculationSpec(SpeculationMode.LOSSLESS, 8, CascadeSpec.DEFAULT,
                new PolicySpec(SpeculationPolicy.HEURISTIC, 0, PolicySpec.DEFAULT_REPROBE_EVERY));
        ScriptedPair all = new ScriptedPair(heuristic, calibrated(), CPU, () -> 1.0, 4000);
        for (int i = 0; i < 5; i++) all.round(1);
        assertEquals(List.of(4, 6, 8, 8, 8), all.history());
        ScriptedPair none = new ScriptedPair(heuristic, calibrated(), CPU, () -> 0.0, 4000);
        for (int i = 0; i < 5; i++) none.round(1);
        assertEquals(List.of(4, 3, 2, 1, 1), none.history());
    }

    @Test
    void staticAlwaysDraftsK() {
        ScriptedPair pair = new ScriptedPair(settings(SpeculationPolicy.STATIC, 5), calibrated(), CPU, () -> 0.1, 4000);
        for (int i = 0; i < 20; i++) pair.round(16);
        assertTrue(pair.history().stream().allMatch(k -> k == 5), pair.history().toString());
    }

    /**
     * The deoptimisation users saw on the default pair came from noisy costs, not from acceptance:
     * a draft model timed 7x too slow in a disturbed calibration. Here every cost the policy sees
     * is jittered by ±50 % — the calibration (median of five, as at start-up) and every decode after
     * it — while α = 0.9 and a draft step costs 10 % of a one-token verify: speculation pays about
     * 1.5x, and the policy must never turn it off.
     */
    @Test
    void noisyCostsDoNotDeoptimiseWhenSpeculationClearlyPays() {
        Random jitter = new Random(42);
        IntToLongFunction noisyVerify = n -> (long) (CPU.applyAsLong(n) * (0.5 + jitter.nextDouble()));
        IntToLongFunction noisyDraft = n -> (long) (0.1 * CPU.applyAsLong(1) * (0.5 + jitter.nextDouble()));
        CostModel costs = new CostModel();
        for (int n = 1; n <= 40; n++) costs.calibrateVerify(n, median(noisyVerify, n));
        for (int s = 1; s <= 16; s++) costs.calibrateDraft(ScriptedPair.DRAFT, s, median(noisyDraft, s));
        for (int request = 0; request < 20; request++) {
            PipelineProfile profile = new PipelineProfile("noisy", "", costs, ScriptedPair.DRAFT);
            ScriptedPair pair = new ScriptedPair(settings(SpeculationPolicy.ADAPTIVE, 8), profile, noisyVerify,
                    noisyDraft, () -> 0.9, 200);
            for (int i = 0; i < 30 && !pair.done(); i++) pair.round(1);
            assertTrue(pair.history().stream().allMatch(k -> k > 0),
                    "request " + request + " turned speculation off: " + pair.history());
        }
    }

    private static long median(IntToLongFunction cost, int n) {
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) t[i] = cost.applyAsLong(n);
        Arrays.sort(t);
        return t[2];
    }
}
