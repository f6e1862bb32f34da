package dev.specd.runtime;

import dev.specd.constrain.ConstraintState;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.constrain.TokenSpace;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.ChiSquare;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.LogitsProcessor;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lossless speculation under a constraint keeps the <em>constrained</em> target distribution: with
 * both the target's rows and the draft's masked, the first token of 2,000 seeded requests fits the
 * target's masked distribution computed exactly from its logits, and the whole answers (one of a
 * few words, several tokens each) are distributed as those of 2,000 target-only requests.
 * Chi-square at significance 0.001, as {@link SamplingSpeculationTest}.
 */
class ConstrainedSamplingTest {

    static final List<String> WORDS = List.of(" cat", " dog", " bird", " ball", " tree", " big dog", " little cat");

    static TokenConstraint constraint;
    static int[] prompt;
    static Distribution masked;
    static Distribution unmasked;
    static List<int[]> spec;
    static List<int[]> plain;
    static Map<String, Integer> answers = new HashMap<>();

    @BeforeAll
    static void run() throws Exception {
        try (LocalEngine targetOnly = Pair.loop(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT, false, 8);
             LocalEngine lossless = Pair.loop(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT, false, 8)) {
            constraint = new Constraints(TokenSpace.of(targetOnly.engine().target().vocab())).choice(WORDS);
            prompt = targetOnly.engine().target().vocab().tokenize(SamplingSpeculationTest.PROMPT, true, false);
            spec = runMany(lossless, Pair.settings(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT));
            plain = runMany(targetOnly, SpeculationSpec.OFF);
        }
        try (LlamaBackend m = LlamaBackend.load(Pair.TARGET, LoadOptions.DEFAULT);
             ModelContext ctx = m.newContext(ContextOptions.of(256, 1)); Sequence s = ctx.openSequence()) {
            float[] logits = s.decode(prompt, prompt.length - 1)[0];
            ConstraintState start = constraint.start();
            masked = LogitsProcessor.process(start.apply(logits), SamplingSpeculationTest.SAMPLING);
            unmasked = LogitsProcessor.process(logits, SamplingSpeculationTest.SAMPLING);
        }
    }

    /** RUNS requests; each result holds the first token and the index of the answer's text. */
    static List<int[]> runMany(LocalEngine loop, SpeculationSpec s) throws Exception {
        int runs = SamplingSpeculationTest.RUNS;
        List<java.util.concurrent.CompletableFuture<Collector.Completed>> pending = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            GenerationRequest r = new GenerationRequest(prompt, SamplingSpeculationTest.SAMPLING.withSeed(i), 12,
                    List.of(), false, s).withConstraint(constraint);
            pending.add(Collector.submit(loop.pipeline(), r));
        }
        List<int[]> out = new ArrayList<>();
        for (var f : pending) {
            Collector.Completed c = f.get(5, TimeUnit.MINUTES);
            int[] tokens = c.tokens();
            synchronized (answers) {
                out.add(new int[] {tokens.length > 0 ? tokens[0] : -1, answers.computeIfAbsent(c.text(), k -> answers.size())});
            }
        }
        return out;
    }

    @Test
    void speculationKeepsTheConstrainedDistribution() {
        ChiSquare.Result first = SamplingSpeculationTest.fitToDistribution(spec, masked);
        ChiSquare.Result firstPlain = SamplingSpeculationTest.fitToDistribution(plain, masked);
        ChiSquare.Result whole = SamplingSpeculationTest.homogeneity(spec, plain, 1);
        System.out.printf("constrained first token, speculative vs exact: %s%n, target-only vs exact: %s%n"
                + "whole answers, speculative vs target-only: %s%n", first, firstPlain, whole);
        assertTrue(first.pValue() >= ChiSquare.SIGNIFICANCE, "first token under speculation: " + first);
        assertTrue(firstPlain.pValue() >= ChiSquare.SIGNIFICANCE, "first token target-only: " + firstPlain);
        assertTrue(whole.pValue() >= ChiSquare.SIGNIFICANCE, "answers: " + whole);
        assertTrue(first.degreesOfFreedom() >= 2, "the constraint must leave several likely tokens: " + first);
    }

    @Test
    void everyAnswerIsOneOfTheWordsAndTheTestHasPower() {
        for (String a : answers.keySet()) assertTrue(WORDS.contains(a), "answer '" + a + "'");
        assertEquals(WORDS.size() >= answers.size(), true);
        // The unconstrained distribution is another one: the fit test must tell them apart.
        assertTrue(SamplingSpeculationTest.fitToDistribution(spec, unmasked).pValue() < ChiSquare.SIGNIFICANCE);
    }
}
