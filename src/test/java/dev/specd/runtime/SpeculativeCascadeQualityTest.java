package dev.specd.runtime;

import dev.specd.bench.TargetScore;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.LocalEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speculative cascade's quality knob on the stories260K pair: as a rule's alpha grows the rule
 * defers less, so quality (the target's agreement with the emitted tokens, scored by a separate
 * target decode) falls and speed (tokens per target call) rises — monotonically, at knob settings
 * from "always defer" (lossless) to "never defer" (the draft model's own text).
 */
class SpeculativeCascadeQualityTest {

    static final int TOKENS = 48;
    static final int K = 6;
    static final List<String> PROMPTS = GreedySpeculationTest.PROMPTS.subList(0, 8);

    static LocalEngine engine;
    static LlamaBackend scorer;

    @BeforeAll
    static void start() {
        engine = Pair.engine(1, Pair.plan("speccascade", 1, List.of(new DraftPlan.Model(Pair.draftRef(), 1024)),
                Pair.settings(SpeculationMode.CASCADE, K, CascadeSpec.speculative(CascadeSpec.Rule.CHOW, 0.1))));
        scorer = LlamaBackend.load(Pair.TARGET, LoadOptions.DEFAULT);
    }

    @AfterAll
    static void stop() {
        engine.close();
        scorer.close();
    }

    /** Knob settings from always deferring to never deferring, per rule. */
    static double[] knob(CascadeSpec.Rule rule) {
        return switch (rule) {
            case CHOW -> new double[] {0.0, 0.3, 0.7, 1.0};
            case DIFF -> new double[] {-1.0, 0.0, 0.3, 1.0};
            // TV(p, q) >= max p - max q always, so from alpha 1 on OPT never defers; at 0 it is diff's 0.
            case OPT -> new double[] {0.0, 0.2, 0.5, 1.0};
            case BILD -> throw new IllegalArgumentException();
        };
    }

    @ParameterizedTest
    @EnumSource(value = CascadeSpec.Rule.class, names = {"CHOW", "DIFF", "OPT"})
    void qualityFallsAndSpeedRisesAsTheKnobMoves(CascadeSpec.Rule rule) {
        double[] alphas = knob(rule);
        double[] agreement = new double[alphas.length];
        double[] perCall = new double[alphas.length];
        int[] deferrals = new int[alphas.length];
        for (int i = 0; i < alphas.length; i++) {
            SpeculationSpec s = Pair.settings(SpeculationMode.CASCADE, K, CascadeSpec.speculative(rule, alphas[i]));
            TargetScore score = TargetScore.ZERO;
            int tokens = 0;
            int calls = 0;
            int deferred = 0;
            for (String text : PROMPTS) {
                int[] prompt = engine.engine().target().vocab().tokenize(text, true, false);
                Pair.Result r = Pair.run(engine, prompt, SamplingParams.greedy(), TOKENS, s);
                score = score.plus(TargetScore.of(scorer, prompt, r.tokens(), Pair.THREADS));
                tokens += r.tokens().length;
                calls += r.summary().rounds();
                deferred += r.summary().deferred();
            }
            agreement[i] = score.agreement();
            perCall[i] = tokens / (double) calls;
            deferrals[i] = deferred;
            System.out.printf("%s alpha %5.1f: agreement %.3f, NLL %.3f, %.2f tokens per target call, %d deferred%n",
                    rule.wireName(), alphas[i], agreement[i], score.meanNll(), perCall[i], deferred);
        }
        if (rule != CascadeSpec.Rule.OPT) assertTrue(agreement[0] > 0.98, "always deferring is lossless: " + agreement[0]);
        assertTrue(deferrals[alphas.length - 1] == 0, "the last setting never defers");
        assertTrue(perCall[alphas.length - 1] > K, "never deferring accepts every draft: " + perCall[alphas.length - 1]);
        for (int i = 1; i < alphas.length; i++) {
            assertTrue(agreement[i] <= agreement[i - 1] + 0.01, rule + " quality must not rise with alpha: "
                    + java.util.Arrays.toString(agreement));
            assertTrue(perCall[i] >= perCall[i - 1] - 0.05, rule + " speed must not fall with alpha: "
                    + java.util.Arrays.toString(perCall));
        }
        assertTrue(deferrals[0] > 0 && agreement[alphas.length - 1] < agreement[0]
                && perCall[alphas.length - 1] > perCall[0] + 0.3, "the knob's ends differ");
    }
}
