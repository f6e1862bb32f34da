package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property that makes speculative sampling lossless, checked statistically: whatever the
 * draft distribution q, the emitted tokens are distributed as the target's p.
 *
 * <p>Each case drafts k = 2 tokens with x_i ~ q_i from an RNG independent of the verifier's
 * seeded stream, verifies them, and counts what was emitted over {@value #TRIALS} trials; a
 * chi-square goodness-of-fit test at significance 0.001 must accept p. To show that the test has
 * power, the same counts must be rejected as samples of the distributions a broken verifier
 * would produce: q itself (accept everything) and min(p, q) + TV·p (resample a rejected draft
 * from p instead of from the residual).
 *
 * <p>Simplification: in a real model p_2 is conditioned on x_1. Here p_2 is the same whatever
 * x_1 is, so the exact target law of the first two tokens is the product p_1(x)·p_2(y), and the
 * second token, given that the first draft was accepted, must follow p_2.
 */
class RejectionSamplerStatisticsTest {

    private static final int V = 6;
    private static final int TRIALS = 20_000;
    /**
     * Power checks only where the wrong law differs from p by at least this total variation
     * distance; at {@value #TRIALS} trials that is far beyond what chi-square detects.
     */
    private static final double FAR = 0.05;

    private static final double[] P1 = {0.30, 0.25, 0.20, 0.15, 0.10, 0};
    private static final double[] P2 = {0.05, 0.40, 0, 0.25, 0.10, 0.20};
    private static final double[] P3 = {0.10, 0.10, 0.20, 0.20, 0.20, 0.20};
    private static final List<Distribution> TARGETS = List.of(dist(P1), dist(P2), dist(P3));

    /**
     * One drafter. A {@code null} q means a drafter without probabilities (prompt lookup), which
     * proposes the fixed token {@code lookup}.
     */
    record DraftCase(String name, Distribution q1, Distribution q2, int lookup1, int lookup2) {
        static DraftCase sampled(String name, Distribution q1, Distribution q2) {
            return new DraftCase(name, q1, q2, -1, -1);
        }

        int draft(Distribution q, int lookup, SplittableRandom rng) {
            return q == null ? lookup : q.quantile(rng.nextDouble());
        }

        /** The law of the drafted token: q, or one-hot at the looked-up token. */
        double[] law(Distribution q, int lookup) {
            return q == null ? Distribution.pointMass(V, lookup).toDense() : q.toDense();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<DraftCase> drafters() {
        return Stream.of(
                DraftCase.sampled("q far from p", dist(0.02, 0.03, 0.05, 0.10, 0.20, 0.60),
                        dist(0.50, 0.02, 0.30, 0.02, 0.06, 0.10)),
                DraftCase.sampled("q mostly outside p's support", dist(0, 0, 0, 0, 0.3, 0.7),
                        dist(0, 0, 0.5, 0, 0, 0.5)),
                DraftCase.sampled("q = p", dist(P1), dist(P2)),
                DraftCase.sampled("q close to p", dist(0.28, 0.26, 0.21, 0.15, 0.09, 0.01),
                        dist(0.06, 0.38, 0.01, 0.25, 0.10, 0.20)),
                DraftCase.sampled("q peaked (cold draft)", dist(0.90, 0.02, 0.02, 0.02, 0.02, 0.02),
                        dist(0.02, 0.02, 0.02, 0.02, 0.02, 0.90)),
                DraftCase.sampled("q one-hot inside p", Distribution.pointMass(V, 2), Distribution.pointMass(V, 1)),
                DraftCase.sampled("q one-hot outside p", Distribution.pointMass(V, 5), Distribution.pointMass(V, 2)),
                new DraftCase("lookup, no q", null, null, 1, 3));
    }

    /** Cases whose first draft can be accepted, so that the conditional law of the second token exists. */
    static Stream<DraftCase> acceptingDrafters() {
        return drafters().filter(c -> !c.name().equals("q one-hot outside p"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drafters")
    void theFirstEmittedTokenFollowsTheTargetWhateverTheDraft(DraftCase c) {
        long[] first = new long[V];
        SplittableRandom drafts = new SplittableRandom(11);
        Sampler verifier = new Sampler(SamplingParams.defaults().withSeed(12));
        for (int trial = 0; trial < TRIALS; trial++) {
            first[round(c, drafts, verifier).token(0)]++;
        }
        ChiSquare.assertFits(first, P1, c + ": first emitted token");
        double[] q1 = c.law(c.q1(), c.lookup1());
        if (totalVariation(q1, P1) >= FAR) {
            ChiSquare.assertRejects(first, q1, c + ": accepting every draft would give q");
        }
        // When q's support misses p's entirely the residual is p, and this "bug" is no bug.
        double[] resampleFromP = resampleFromTargetLaw(P1, q1);
        if (totalVariation(resampleFromP, P1) >= FAR) {
            ChiSquare.assertRejects(first, resampleFromP, c + ": resampling rejections from p");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptingDrafters")
    void afterAnAcceptedDraftTheNextTokensFollowTheirTargets(DraftCase c) {
        long[] second = new long[V];
        long[] bonus = new long[V];
        SplittableRandom drafts = new SplittableRandom(21);
        Sampler verifier = new Sampler(SamplingParams.defaults().withSeed(22));
        for (int trial = 0; trial < TRIALS; trial++) {
            Verification v = round(c, drafts, verifier);
            if (v.accepted() >= 1) {
                second[v.token(1)]++;
            }
            if (v.bonus()) {
                bonus[v.token(2)]++;
            }
        }
        long accepted = Arrays.stream(second).sum();
        assertTrue(accepted >= 1000, c + ": too few accepted first drafts to test: " + accepted);
        ChiSquare.assertFits(second, P2, c + ": second token given the first draft was accepted");
        double[] q2 = c.law(c.q2(), c.lookup2());
        if (totalVariation(q2, P2) >= FAR) {
            ChiSquare.assertRejects(second, q2, c + ": second token");
        }
        // The bonus after two accepted drafts follows p_3 (where both can be accepted often enough).
        if (Arrays.stream(bonus).sum() >= 1000) {
            ChiSquare.assertFits(bonus, P3, c + ": bonus token");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drafters")
    void theFirstTwoTokensOfADecodeFollowTheProductOfTheTargets(DraftCase c) {
        // Decode as the runtime would: if a round emits a single token, the next round drafts one
        // more token at position 2 (p_2, with p_3 for its bonus) to complete the pair.
        long[] pairs = new long[V * V];
        SplittableRandom drafts = new SplittableRandom(31);
        Sampler verifier = new Sampler(SamplingParams.defaults().withSeed(32));
        for (int trial = 0; trial < TRIALS; trial++) {
            Verification v = round(c, drafts, verifier);
            int second;
            if (v.emittedCount() >= 2) {
                second = v.token(1);
            } else {
                int x2 = c.draft(c.q2(), c.lookup2(), drafts);
                second = RejectionSampler.verify(new int[] {x2}, Arrays.asList(c.q2()), TARGETS.subList(1, 3), verifier)
                        .token(0);
            }
            pairs[v.token(0) * V + second]++;
        }
        double[] product = new double[V * V];
        double[] wrongSecond = new double[V * V];
        double[] q2 = c.law(c.q2(), c.lookup2());
        for (int x = 0; x < V; x++) {
            for (int y = 0; y < V; y++) {
                product[x * V + y] = P1[x] * P2[y];
                wrongSecond[x * V + y] = P1[x] * q2[y];
            }
        }
        ChiSquare.Result fit = ChiSquare.goodnessOfFit(pairs, product);
        assertEquals(24, fit.degreesOfFreedom(), "5 × 5 possible pairs");
        ChiSquare.assertFits(pairs, product, c + ": first two tokens");
        if (totalVariation(q2, P2) >= FAR) {
            ChiSquare.assertRejects(pairs, wrongSecond, c + ": first two tokens");
        }
    }

    /** One k = 2 round: drafts from q with the drafter's RNG, verification on the request's stream. */
    private static Verification round(DraftCase c, SplittableRandom drafts, Sampler verifier) {
        int x1 = c.draft(c.q1(), c.lookup1(), drafts);
        int x2 = c.draft(c.q2(), c.lookup2(), drafts);
        return RejectionSampler.verify(new int[] {x1, x2}, Arrays.asList(c.q1(), c.q2()), TARGETS, verifier);
    }

    /** The first-token law of a broken verifier that resamples rejected drafts from p: min(p, q) + TV(p, q)·p. */
    private static double[] resampleFromTargetLaw(double[] p, double[] q) {
        double tv = totalVariation(p, q);
        double[] law = new double[p.length];
        for (int t = 0; t < p.length; t++) {
            law[t] = Math.min(p[t], q[t]) + tv * p[t];
        }
        return law;
    }

    private static double totalVariation(double[] a, double[] b) {
        double sum = 0;
        for (int t = 0; t < a.length; t++) {
            sum += Math.abs(a[t] - b[t]);
        }
        return sum / 2;
    }

    private static Distribution dist(double... weights) {
        return Distribution.fromWeights(weights);
    }
}
