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
import dev.specd.sampling.ChiSquare;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.LogitsProcessor;
import dev.specd.sched.EngineLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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
    static void run() throws InterruptedException {
        try (EngineLoop targetOnly = Pair.loop(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT, false, 8);
             EngineLoop lossless = Pair.loop(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT, false, 8)) {
            constraint = new Constraints(TokenSpace.of(targetOnly.target().vocab())).choice(WORDS);
            prompt = targetOnly.target().vocab().tokenize(SamplingSpeculationTest.PROMPT, true, false);
            spec = runMany(lossless, Pair.settings(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT));
            plain = runMany(targetOnly, SpeculationSettings.OFF);
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
    static List<int[]> runMany(EngineLoop loop, SpeculationSettings s) throws InterruptedException {
        int runs = SamplingSpeculationTest.RUNS;
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < runs; i++) out.add(new int[] {-1, -1});
        CountDownLatch done = new CountDownLatch(runs);
        for (int i = 0; i < runs; i++) {
            int run = i;
            StringBuilder text = new StringBuilder();
            GenerationRequest r = new GenerationRequest(prompt, SamplingSpeculationTest.SAMPLING.withSeed(run), 12,
                    List.of(), false, s).withConstraint(constraint);
            loop.submit(r).subscribe().with(e -> {
                if (e instanceof GenerationEvent.Text t) {
                    if (out.get(run)[0] < 0 && t.tokens().length > 0) out.get(run)[0] = t.tokens()[0];
                    text.append(t.text());
                }
                if (e instanceof GenerationEvent.Done) {
                    synchronized (answers) {
                        out.get(run)[1] = answers.computeIfAbsent(text.toString(), k -> answers.size());
                    }
                }
            }, f -> done.countDown(), done::countDown);
        }
        assertTrue(done.await(5, TimeUnit.MINUTES), "requests did not finish");
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
