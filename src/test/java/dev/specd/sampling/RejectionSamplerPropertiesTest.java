package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Structural properties of verification over random rounds: small vocabularies, sparse and
 * point-mass distributions, drafters with and without probabilities, drafts outside the target's
 * support. The statistical law itself is {@link RejectionSamplerStatisticsTest}'s job.
 */
class RejectionSamplerPropertiesTest {

    /** One random round, reproducible from its seed (which also seeds the verifier's stream). */
    record Round(long seed, int[] drafts, List<Distribution> q, List<Distribution> p) {
        @Override
        public String toString() {
            return "Round[seed=" + seed + ", drafts=" + Arrays.toString(drafts) + ", q=" + q + ", p=" + p + "]";
        }
    }

    @Provide
    Arbitrary<Round> rounds() {
        return Arbitraries.longs().map(seed -> randomRound(seed, false));
    }

    @Provide
    Arbitrary<Round> greedyRounds() {
        return Arbitraries.longs().map(seed -> randomRound(seed, true));
    }

    @Property(tries = 500)
    void aRoundEmitsTheAcceptedPrefixThenOneTokenTheTargetAllows(@ForAll("rounds") Round r) {
        Verification v = RejectionSampler.verify(r.drafts(), r.q(), r.p(), sampler(r));
        int k = r.drafts().length;
        assertEquals(v.accepted() + 1, v.emittedCount());
        assertArrayEquals(Arrays.copyOf(r.drafts(), v.accepted()), Arrays.copyOf(v.emitted(), v.accepted()));
        assertEquals(v.accepted() == k, v.bonus());
        assertEquals(0, v.tolerated(), "lossless verification tolerates nothing");
        Distribution closing = r.p().get(v.accepted());
        assertTrue(closing.prob(v.targetToken()) > 0, "the residual and the bonus lie in p's support");
        if (v.rejected()) {
            // The residual is zero at a rejected draft: rejection needs p(x) < q(x).
            assertNotEquals(r.drafts()[v.firstRejected()], v.targetToken());
        }
    }

    @Property(tries = 500)
    void toleranceZeroChangesNeitherTheRoundNorTheRandomnessUsed(@ForAll("rounds") Round r) {
        Sampler lossless = sampler(r);
        Sampler tolerant = sampler(r);
        assertEquals(RejectionSampler.verify(r.drafts(), r.q(), r.p(), lossless),
                RejectionSampler.verifyTolerant(r.drafts(), r.q(), r.p(), 0.0, tolerant));
        assertEquals(lossless.uniform(), tolerant.uniform());
    }

    @Property(tries = 300)
    void toleranceOnlyEverKeepsMoreDraftsAndCountsWhatItKept(@ForAll("rounds") Round r) {
        Verification exact = RejectionSampler.verify(r.drafts(), r.q(), r.p(), sampler(r));
        Verification kept = RejectionSampler.verifyTolerant(r.drafts(), r.q(), r.p(), 1.0, sampler(r));
        assertTrue(kept.accepted() >= exact.accepted(), exact + " vs " + kept);
        assertArrayEquals(Arrays.copyOf(r.drafts(), kept.accepted()), Arrays.copyOf(kept.emitted(), kept.accepted()));
        // Both runs draw the same uniforms up to the exact run's rejection; there the tolerant run
        // either rolls back identically or keeps the draft, which it must then count.
        if (kept.accepted() == exact.accepted()) {
            assertEquals(exact, kept);
        } else {
            assertTrue(kept.tolerated() >= 1, exact + " vs " + kept);
        }
    }

    @Property(tries = 500)
    void greedySpeculationEmitsExactlyTheTargetsGreedyTokensAndDrawsNothing(@ForAll("greedyRounds") Round r) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < r.p().size(); i++) {
            int greedy = r.p().get(i).argmax();
            expected.add(greedy);
            if (i == r.drafts().length || r.drafts()[i] != greedy) {
                break;
            }
        }
        Verification v = RejectionSampler.verify(r.drafts(), r.q(), r.p(), UniformScript.none());
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), v.emitted());
    }

    @Property(tries = 500)
    void theSparseResidualEqualsTheDenseDefinition(@ForAll("rounds") Round r) {
        for (int i = 0; i < r.drafts().length; i++) {
            Distribution p = r.p().get(i);
            Distribution q = r.q() == null ? null : r.q().get(i);
            int x = r.drafts()[i];
            double[] qDense = q == null || q.prob(x) == 0 ? oneHot(p.vocabSize(), x) : q.toDense();
            double[] pDense = p.toDense();
            double[] w = new double[pDense.length];
            double mass = 0;
            for (int t = 0; t < w.length; t++) {
                w[t] = Math.max(0, pDense[t] - qDense[t]);
                mass += w[t];
            }
            double[] expected = mass <= RejectionSampler.MIN_RESIDUAL_MASS ? pDense : Distribution.fromWeights(w).toDense();
            assertArrayEquals(expected, RejectionSampler.residual(p, q, x).toDense(), 1e-12, "position " + i);
            double a = RejectionSampler.acceptanceProbability(p, q, x);
            assertTrue(a >= 0 && a <= 1, "acceptance probability " + a);
        }
    }

    private static Sampler sampler(Round r) {
        return new Sampler(SamplingParams.defaults().withSeed(r.seed()));
    }

    private static double[] oneHot(int vocab, int token) {
        double[] d = new double[vocab];
        if (token >= 0 && token < vocab) {
            d[token] = 1;
        }
        return d;
    }

    static Round randomRound(long seed, boolean greedyTarget) {
        SplittableRandom rng = new SplittableRandom(seed);
        int vocab = 2 + rng.nextInt(7);
        int k = rng.nextInt(5);
        List<Distribution> p = new ArrayList<>();
        for (int i = 0; i <= k; i++) {
            p.add(greedyTarget || rng.nextInt(5) == 0 ? Distribution.pointMass(vocab, rng.nextInt(vocab))
                    : randomDistribution(rng, vocab));
        }
        List<Distribution> q = rng.nextInt(5) == 0 ? null : new ArrayList<>();
        int[] drafts = new int[k];
        for (int i = 0; i < k; i++) {
            Distribution qi = switch (rng.nextInt(6)) {
                case 0 -> null;
                case 1 -> Distribution.pointMass(vocab, rng.nextInt(vocab));
                case 2 -> p.get(i);
                default -> randomDistribution(rng, vocab);
            };
            if (q == null) {
                qi = null;
            } else {
                q.add(qi);
            }
            // Deterministic drafters may propose anything, even a token outside the vocabulary;
            // a greedy target's draft matches its argmax half of the time so rounds get long.
            if (greedyTarget && rng.nextBoolean()) {
                drafts[i] = p.get(i).argmax();
            } else {
                drafts[i] = qi == null ? rng.nextInt(vocab + 1) : qi.quantile(rng.nextDouble());
            }
        }
        return new Round(seed, drafts, q, p);
    }

    private static Distribution randomDistribution(SplittableRandom rng, int vocab) {
        double[] w = new double[vocab];
        w[rng.nextInt(vocab)] = rng.nextDouble() + 0.01;
        for (int t = 0; t < vocab; t++) {
            if (rng.nextInt(10) >= 3) {
                w[t] = rng.nextDouble();
            }
        }
        return Distribution.fromWeights(w);
    }
}
