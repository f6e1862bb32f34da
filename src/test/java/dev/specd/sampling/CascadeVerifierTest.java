package dev.specd.sampling;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Speculative cascades (Narasimhan et al., ICLR 2025) against direct, dense implementations of the
 * paper's formulas on random distributions: each deferral rule (Chow: max q &lt; 1 − α; Diff:
 * max q &lt; max p − α; OPT: max q &lt; max p − α·D_TV(p, q)), the acceptance probability
 * min(1, π(x)/q(x)) of the mixture π = (1 − r)·q + r·p, and — statistically — that the emitted token
 * is distributed as π.
 */
class CascadeVerifierTest {

    /** Random raw logits of a draft and a target, perhaps of different vocabulary sizes, and an alpha. */
    record Logits(float[] draft, float[] target, double alpha) {
        @Override
        public String toString() {
            return "Logits[draft=" + Arrays.toString(draft) + ", target=" + Arrays.toString(target) + ", alpha=" + alpha + "]";
        }
    }

    @Provide
    Arbitrary<Logits> logits() {
        return Arbitraries.longs().map(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int v = 2 + rng.nextInt(30);
            float scale = (float) (0.1 + 8 * rng.nextDouble()); // flat to peaked
            return new Logits(randomLogits(rng, v, scale), randomLogits(rng, v + (rng.nextInt(4) == 0 ? 3 : 0), scale),
                    -1 + 3 * rng.nextDouble());
        });
    }

    @Property(tries = 1000)
    void eachRuleIsThePapersFormula(@ForAll("logits") Logits l) {
        double[] q = softmax(l.draft());
        double[] p = softmax(l.target());
        double maxQ = Arrays.stream(q).max().orElseThrow();
        double maxP = Arrays.stream(p).max().orElseThrow();
        double tv = 0;
        for (int t = 0; t < Math.max(q.length, p.length); t++) {
            tv += Math.abs((t < q.length ? q[t] : 0) - (t < p.length ? p[t] : 0)) / 2;
        }
        double a = l.alpha();
        assertEquals(maxQ < 1 - a, DeferralRule.CHOW.defers(a, l.draft(), l.target()), "chow");
        assertEquals(maxQ < maxP - a, DeferralRule.DIFF.defers(a, l.draft(), l.target()), "diff");
        assertEquals(maxQ < maxP - a * tv, DeferralRule.OPT.defers(a, l.draft(), l.target()), "opt");
    }

    @Property(tries = 1000)
    void acceptanceIsTheMixturesRatio(@ForAll("logits") Logits l) {
        SplittableRandom rng = new SplittableRandom(Arrays.hashCode(l.draft()));
        int v = l.draft().length;
        double[] qd = sparse(softmax(l.draft()), rng);
        double[] pd = sparse(softmax(Arrays.copyOf(l.target(), v)), rng);
        Distribution q = Distribution.fromWeights(qd);
        Distribution p = Distribution.fromWeights(pd);
        double r = rng.nextInt(3) == 0 ? rng.nextInt(2) : rng.nextDouble();
        for (int x = 0; x < v; x++) {
            if (q.prob(x) == 0) continue;
            double pi = (1 - r) * q.prob(x) + r * p.prob(x);
            assertEquals(Math.min(1, pi / q.prob(x)), CascadeVerifier.acceptanceProbability(p, q, x, r), 1e-12);
        }
    }

    @Property(tries = 500)
    void deferringEverywhereIsLosslessVerificationUniformForUniform(@ForAll long seed) {
        RejectionSamplerPropertiesTest.Round r = RejectionSamplerPropertiesTest.randomRound(seed, seed % 3 == 0);
        double[] all = new double[r.drafts().length];
        Arrays.fill(all, 1);
        Sampler a = new Sampler(SamplingParams.defaults().withSeed(seed));
        Sampler b = new Sampler(SamplingParams.defaults().withSeed(seed));
        assertEquals(RejectionSampler.verify(r.drafts(), r.q(), r.p(), a::uniform),
                CascadeVerifier.verify(r.drafts(), r.q(), r.p(), all, b::uniform));
        assertEquals(a.uniform(), b.uniform(), "the same uniforms consumed");
    }

    @Property(tries = 500)
    void keepingTheDraftsDistributionAcceptsEveryModelDraft(@ForAll long seed) {
        RejectionSamplerPropertiesTest.Round r = RejectionSamplerPropertiesTest.randomRound(seed, false);
        double[] none = new double[r.drafts().length];
        Verification v = CascadeVerifier.verify(r.drafts(), r.q(), r.p(), none, new Sampler(SamplingParams.defaults()
                .withSeed(seed))::uniform);
        int expected = 0;
        while (expected < r.drafts().length && r.q() != null && r.q().get(expected) != null
                && r.q().get(expected).prob(r.drafts()[expected]) > 0) {
            expected++;
        }
        // Deterministic drafts are verified losslessly, so acceptance may go on past the model's drafts.
        assertEquals(true, v.accepted() >= expected, v + " for " + r);
    }

    @Test
    void theEmittedTokenFollowsTheMixture() {
        double[] qd = {0.50, 0.20, 0.15, 0.10, 0.05, 0};
        double[] pd = {0.05, 0.25, 0.10, 0.30, 0.10, 0.20};
        Distribution q = Distribution.fromWeights(qd);
        Distribution p = Distribution.fromWeights(pd);
        for (double r : new double[] {0.0, 0.35, 0.8, 1.0}) {
            SplittableRandom drafts = new SplittableRandom(11);
            Sampler verifier = new Sampler(SamplingParams.defaults().withSeed(12));
            long[] counts = new long[qd.length];
            int trials = 20_000;
            for (int i = 0; i < trials; i++) {
                int x = q.quantile(drafts.nextDouble());
                Verification v = CascadeVerifier.verify(new int[] {x}, List.of(q), List.of(p, p), new double[] {r},
                        verifier::uniform);
                counts[v.token(0)]++;
            }
            double[] pi = new double[qd.length];
            for (int t = 0; t < pi.length; t++) pi[t] = (1 - r) * qd[t] + r * pd[t];
            ChiSquare.assertFits(counts, pi, "r = " + r);
            if (r < 0.9) {
                double[] target = new double[qd.length];
                for (int t = 0; t < pi.length; t++) target[t] = pd[t];
                ChiSquare.assertRejects(counts, target, "r = " + r + " is not the target's distribution");
            }
        }
    }

    private static float[] randomLogits(SplittableRandom rng, int v, float scale) {
        float[] l = new float[v];
        for (int i = 0; i < v; i++) l[i] = (float) (scale * rng.nextGaussian());
        return l;
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** Some entries zeroed (filters), at least one kept. */
    private static double[] sparse(double[] p, SplittableRandom rng) {
        double[] out = p.clone();
        for (int i = 0; i < out.length; i++) if (rng.nextInt(4) == 0) out[i] = 0;
        out[rng.nextInt(out.length)] = p[0] + 0.01;
        return out;
    }
}
