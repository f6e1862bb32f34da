package dev.specd.runtime;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.sampling.ChiSquare;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.LogitsProcessor;
import dev.specd.sampling.SamplingParams;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With sampling, lossless speculation must leave the output distribution exactly the target's.
 * 2,000 seeded requests with stories260K drafting for the forged target: the first generated
 * token must fit the target's own (processed) distribution, computed exactly from its logits, and
 * the second token's distribution must match that of 2,000 target-only requests. Chi-square at
 * significance 0.001; cells expecting fewer than 5 observations are pooled.
 */
class SamplingSpeculationTest {

    static final int RUNS = 2000;
    static final String PROMPT = "She saw a";
    static final SamplingParams SAMPLING = SamplingParams.defaults().withTemperature(1.0);
    static final CascadeSpec CASCADE = CascadeSpec.DEFAULT;

    static int[] prompt;
    static Distribution p1;
    static List<int[]> spec;
    static List<int[]> plain;

    @BeforeAll
    static void run() throws InterruptedException {
        try (LocalEngine targetOnly = Pair.loop(SpeculationMode.OFF, 0, CASCADE, false, 4);
             LocalEngine lossless = Pair.loop(SpeculationMode.LOSSLESS, 4, CASCADE, false, 4)) {
            prompt = targetOnly.engine().target().vocab().tokenize(PROMPT, true, false);
            p1 = targetDistribution(prompt);
            spec = runMany(lossless, prompt, Pair.settings(SpeculationMode.LOSSLESS, 4, CASCADE));
            plain = runMany(targetOnly, prompt, SpeculationSpec.OFF);
        }
    }

    @Test
    void speculationKeepsTheTargetsDistribution() {
        ChiSquare.Result first = fitToDistribution(spec, p1);
        ChiSquare.Result firstPlain = fitToDistribution(plain, p1);
        ChiSquare.Result second = homogeneity(spec, plain, 1);
        System.out.printf("first token, speculative vs exact p: %s%nfirst token, target-only vs exact p: %s%n"
                + "second token, speculative vs target-only: %s%n", first, firstPlain, second);
        assertTrue(first.pValue() >= ChiSquare.SIGNIFICANCE, "first token under speculation: " + first);
        assertTrue(firstPlain.pValue() >= ChiSquare.SIGNIFICANCE, "first token target-only: " + firstPlain);
        assertTrue(second.pValue() >= ChiSquare.SIGNIFICANCE, "second token: " + second);
        assertTrue(first.degreesOfFreedom() >= 3, "the prompt must leave several likely tokens: " + first);
    }

    /** The test has power: the same counts must not fit a distribution that differs from p. */
    @Test
    void theFitTestRejectsAWrongDistribution() {
        Distribution flatter = targetDistribution(prompt, SAMPLING.withTemperature(1.3));
        assertTrue(fitToDistribution(spec, flatter).pValue() < ChiSquare.SIGNIFICANCE);
        assertTrue(fitToDistribution(spec, p1).pValue() >= ChiSquare.SIGNIFICANCE);
    }

    static Distribution targetDistribution(int[] prompt) {
        return targetDistribution(prompt, SAMPLING);
    }

    static Distribution targetDistribution(int[] prompt, SamplingParams params) {
        try (LlamaBackend m = LlamaBackend.load(Pair.TARGET, LoadOptions.DEFAULT);
             ModelContext ctx = m.newContext(ContextOptions.of(256, 1)); Sequence s = ctx.openSequence()) {
            return LogitsProcessor.process(s.decode(prompt, prompt.length - 1)[0], params);
        }
    }

    /** RUNS requests with seeds 0..RUNS-1, two tokens each, all queued at once (continuous batching). */
    static List<int[]> runMany(LocalEngine loop, int[] prompt, SpeculationSpec s) {
        List<java.util.concurrent.CompletableFuture<Collector.Completed>> pending = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            pending.add(Collector.submit(loop.pipeline(), new GenerationRequest(prompt, SAMPLING.withSeed(i), 2, List.of(),
                    true, s)));
        }
        List<int[]> out = new ArrayList<>();
        for (var f : pending) out.add(java.util.Arrays.copyOf(f.orTimeout(5, TimeUnit.MINUTES).join().tokens(), 2));
        return out;
    }

    static ChiSquare.Result fitToDistribution(List<int[]> runs, Distribution p) {
        Map<Integer, Long> counts = count(runs, 0);
        List<Integer> cells = new ArrayList<>();
        for (int i = 0; i < p.supportSize(); i++) {
            if (RUNS * p.supportProb(i) >= 5) cells.add(p.supportToken(i));
        }
        long[] observed = new long[cells.size() + 1];
        double[] expected = new double[cells.size() + 1];
        double pooled = 1;
        for (int c = 0; c < cells.size(); c++) {
            observed[c] = counts.getOrDefault(cells.get(c), 0L);
            expected[c] = p.prob(cells.get(c));
            pooled -= expected[c];
        }
        observed[cells.size()] = RUNS - java.util.Arrays.stream(observed).sum();
        expected[cells.size()] = Math.max(0, pooled);
        double total = java.util.Arrays.stream(expected).sum();
        for (int c = 0; c < expected.length; c++) expected[c] /= total;
        return ChiSquare.goodnessOfFit(observed, expected);
    }

    /** Two-sample chi-square test that two sets of runs share the distribution of token {@code index}. */
    static ChiSquare.Result homogeneity(List<int[]> a, List<int[]> b, int index) {
        Map<Integer, Long> ca = count(a, index);
        Map<Integer, Long> cb = count(b, index);
        TreeSet<Integer> tokens = new TreeSet<>(ca.keySet());
        tokens.addAll(cb.keySet());
        List<long[]> cells = new ArrayList<>();
        long[] other = new long[2];
        for (int t : tokens) {
            long x = ca.getOrDefault(t, 0L);
            long y = cb.getOrDefault(t, 0L);
            if ((x + y) / 2.0 >= 5) cells.add(new long[] {x, y});
            else {
                other[0] += x;
                other[1] += y;
            }
        }
        if (other[0] + other[1] > 0) cells.add(other);
        double statistic = 0;
        for (long[] c : cells) {
            double e = (c[0] + c[1]) / 2.0; // equal sample sizes
            statistic += (c[0] - e) * (c[0] - e) / e + (c[1] - e) * (c[1] - e) / e;
        }
        int df = cells.size() - 1;
        return new ChiSquare.Result(statistic, df, df == 0 ? 1.0 : ChiSquare.upperTail(statistic, df));
    }

    static Map<Integer, Long> count(List<int[]> runs, int index) {
        Map<Integer, Long> counts = new HashMap<>();
        for (int[] r : runs) counts.merge(r[index], 1L, Long::sum);
        return counts;
    }
}
