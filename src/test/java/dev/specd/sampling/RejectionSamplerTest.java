package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made verification rounds: outcomes, the residual, and exactly how many uniforms each
 * step consumes (scripted sources fail on any unexpected draw).
 */
class RejectionSamplerTest {

    private static final int GRID = 7000;

    @Test
    void allAcceptedEmitsTheDraftsThenABonusFromTheLastTarget() {
        // p/q ≥ 1 for both drafts: certain acceptance, no uniform; the bonus takes the only one.
        List<Distribution> q = List.of(dist(0.4, 0.3, 0.3), dist(0.1, 0.6, 0.3));
        Distribution bonus = dist(0.2, 0.3, 0.5);
        List<Distribution> p = List.of(dist(0.5, 0.3, 0.2), dist(0.2, 0.6, 0.2), bonus);
        UniformScript u = UniformScript.of(0.6);
        Verification v = RejectionSampler.verify(new int[] {0, 1}, q, p, u);
        assertEquals(new Verification(2, new int[] {0, 1, 2}, true, -1, 0), v);
        u.assertAllConsumed();
        assertEquals(2, v.targetToken());
        // Over a grid of uniforms the bonus is exactly p_{k+1}'s inverse CDF.
        long[] counts = gridCounts(s -> RejectionSampler.verify(new int[] {0, 1}, q, p, s), 2, 3);
        assertArrayEquals(new long[] {1400, 2100, 3500}, counts);
    }

    @Test
    void noDraftsMeansOnlyTheBonus() {
        Verification v = RejectionSampler.verify(new int[0], null, List.of(dist(0.2, 0.3, 0.5)), UniformScript.of(0.1));
        assertEquals(new Verification(0, new int[] {0}, true, -1, 0), v);
    }

    @Test
    void certainRejectionSamplesTheResidualAndNeverTheDraft() {
        Distribution p = dist(0.4, 0.1, 0, 0.2, 0.3, 0);
        Distribution q = dist(0.1, 0.2, 0.6, 0.1, 0, 0);
        double[] residual = {3 / 7.0, 0, 0, 1 / 7.0, 3 / 7.0, 0}; // max(0, p − q) = (.3, 0, 0, .1, .3, 0)
        assertArrayEquals(residual, RejectionSampler.residual(p, q, 2).toDense(), 1e-12);
        assertEquals(0.0, RejectionSampler.acceptanceProbability(p, q, 2));

        // p(2) = 0: rejected without a uniform, then one uniform for the residual.
        List<Distribution> qs = List.of(q);
        List<Distribution> ps = List.of(p, dist(1, 1, 1, 1, 1, 1));
        Verification v = RejectionSampler.verify(new int[] {2}, qs, ps, UniformScript.of(0.5));
        assertEquals(0, v.accepted());
        assertEquals(0, v.firstRejected());
        assertTrue(v.rejected());
        assertEquals(1, v.emittedCount());
        long[] counts = gridCounts(s -> RejectionSampler.verify(new int[] {2}, qs, ps, s), 0, 6);
        assertEquals(0, counts[2], "the rejected draft is never the replacement");
        for (int t = 0; t < 6; t++) {
            assertEquals(GRID * residual[t], counts[t], 1.0, "token " + t);
        }
        // And with the request's seeded stream: fits the residual, not the target itself.
        Sampler sampler = new Sampler(SamplingParams.defaults().withSeed(2024));
        long[] sampled = new long[6];
        for (int i = 0; i < 20_000; i++) {
            sampled[RejectionSampler.verify(new int[] {2}, qs, ps, sampler).token(0)]++;
        }
        ChiSquare.assertFits(sampled, residual, "replacement after a certain rejection");
        ChiSquare.assertRejects(sampled, p.toDense(), "replacement after a certain rejection");
    }

    @Test
    void aDraftOutsideTheTargetsSupportOrVocabularyIsAlwaysRejected() {
        Distribution p = dist(0.5, 0.5, 0);
        for (int x : new int[] {2, 3, 99, -1}) {
            Verification v = RejectionSampler.verify(new int[] {x}, null, List.of(p, p), UniformScript.of(0.75));
            assertEquals(new Verification(0, new int[] {1}, false, 0, 0), v, "draft " + x);
        }
    }

    @Test
    void uncertainAcceptanceTakesOneUniformAgainstTheRatio() {
        Distribution p = dist(0.2, 0.3, 0.5);
        Distribution q = dist(0.6, 0.2, 0.2);
        assertEquals(1 / 3.0, RejectionSampler.acceptanceProbability(p, q, 0), 1e-15);
        List<Distribution> ps = List.of(p, Distribution.pointMass(3, 1));
        // u < 1/3 accepts; the point-mass bonus takes no uniform.
        UniformScript accept = UniformScript.of(0.33);
        assertEquals(new Verification(1, new int[] {0, 1}, true, -1, 0),
                RejectionSampler.verify(new int[] {0}, List.of(q), ps, accept));
        accept.assertAllConsumed();
        // u ≥ 1/3 rejects; the residual (0, .1, .3)/.4 takes the second uniform.
        UniformScript reject = UniformScript.of(0.34, 0.2);
        assertEquals(new Verification(0, new int[] {1}, false, 0, 0),
                RejectionSampler.verify(new int[] {0}, List.of(q), ps, reject));
        reject.assertAllConsumed();
        assertEquals(new Verification(0, new int[] {2}, false, 0, 0),
                RejectionSampler.verify(new int[] {0}, List.of(q), ps, UniformScript.of(0.34, 0.3)));
    }

    @Test
    void verificationStopsAtTheFirstRejection() {
        Distribution p = dist(0.2, 0.3, 0.5);
        Distribution q = dist(0.6, 0.2, 0.2);
        // Draft 1 certain (p/q = 2.5), draft 2 rejected by u = 0.9 against 1/3, draft 3 never looked at.
        Verification v = RejectionSampler.verify(new int[] {2, 0, 0}, List.of(q, q, q), List.of(p, p, p, p),
                UniformScript.of(0.9, 0.0));
        assertEquals(new Verification(1, new int[] {2, 1}, false, 1, 0), v);
    }

    @Test
    void greedyTargetsAcceptWhileDraftsMatchTheArgmaxAndDrawNothing() {
        List<Distribution> p = List.of(Distribution.pointMass(6, 3), Distribution.pointMass(6, 1),
                Distribution.pointMass(6, 4), Distribution.pointMass(6, 2));
        Distribution sampledQ = dist(0.1, 0.2, 0.1, 0.3, 0.2, 0.1);
        for (List<Distribution> q : Arrays.asList(null, List.of(sampledQ, sampledQ, sampledQ))) {
            assertEquals(new Verification(3, new int[] {3, 1, 4, 2}, true, -1, 0),
                    RejectionSampler.verify(new int[] {3, 1, 4}, q, p, UniformScript.none()), "bonus, q=" + q);
            assertEquals(new Verification(2, new int[] {3, 1, 4}, false, 2, 0),
                    RejectionSampler.verify(new int[] {3, 1, 5}, q, p, UniformScript.none()), "mismatch, q=" + q);
            assertEquals(new Verification(0, new int[] {3}, false, 0, 0),
                    RejectionSampler.verify(new int[] {0, 1, 4}, q, p, UniformScript.none()), "first, q=" + q);
        }
    }

    @Test
    void lookupDraftsWithoutProbabilitiesAreOneHot() {
        Distribution p = dist(0.5, 0.25, 0.25);
        assertEquals(0.25, RejectionSampler.acceptanceProbability(p, null, 1));
        assertArrayEquals(new double[] {2 / 3.0, 0, 1 / 3.0}, RejectionSampler.residual(p, null, 1).toDense(), 1e-15);
        List<Distribution> ps = List.of(p, Distribution.pointMass(3, 0));
        assertEquals(new Verification(1, new int[] {1, 0}, true, -1, 0),
                RejectionSampler.verify(new int[] {1}, null, ps, UniformScript.of(0.2)));
        // Rejected: p without the draft, renormalised, so 0.7 lands on token 2.
        UniformScript reject = UniformScript.of(0.3, 0.7);
        assertEquals(new Verification(0, new int[] {2}, false, 0, 0),
                RejectionSampler.verify(new int[] {1}, null, ps, reject));
        reject.assertAllConsumed();
        // A null list and a list of null entries mean the same; p(x) = 1 is certain.
        assertEquals(RejectionSampler.verify(new int[] {1}, null, ps, UniformScript.of(0.3, 0.2)),
                RejectionSampler.verify(new int[] {1}, Arrays.asList((Distribution) null), ps,
                        UniformScript.of(0.3, 0.2)));
        assertEquals(new Verification(1, new int[] {0, 0}, true, -1, 0),
                RejectionSampler.verify(new int[] {0}, null, List.of(dist(1, 0, 0), ps.get(1)), UniformScript.none()));
    }

    @Test
    void aDraftItsOwnDistributionCouldNotHaveProducedIsVerifiedAsDeterministic() {
        // q(x) = 0 would divide by zero; it is verified as a one-hot (lookup-style) proposal.
        Distribution p = dist(0.5, 0.25, 0.25);
        Distribution q = dist(0.5, 0, 0.5);
        assertEquals(0.25, RejectionSampler.acceptanceProbability(p, q, 1));
        assertArrayEquals(RejectionSampler.residual(p, null, 1).toDense(), RejectionSampler.residual(p, q, 1).toDense());
        List<Distribution> ps = List.of(p, p);
        for (double u : new double[] {0.1, 0.3, 0.9}) {
            assertEquals(RejectionSampler.verify(new int[] {1}, null, ps, UniformScript.of(u, 0.5, 0.5)),
                    RejectionSampler.verify(new int[] {1}, List.of(q), ps, UniformScript.of(u, 0.5, 0.5)));
        }
    }

    @Test
    void aResidualThatIsOnlyRoundingNoiseFallsBackToTheTarget() {
        // q is p up to 1e-14: rejection is possible (p(0)/q(0) < 1) but max(0, p − q) is noise.
        Distribution p = dist(1, 1, 1);
        Distribution q = dist(1 + 1e-14, 1, 1);
        double a = RejectionSampler.acceptanceProbability(p, q, 0);
        assertTrue(a < 1, "rejection must be possible for this case to mean anything: " + a);
        double noise = Math.max(0, p.prob(1) - q.prob(1)) + Math.max(0, p.prob(2) - q.prob(2));
        assertTrue(noise > 0 && noise <= RejectionSampler.MIN_RESIDUAL_MASS, "residual mass " + noise);
        assertArrayEquals(p.toDense(), RejectionSampler.residual(p, q, 0).toDense());
        // Rejected with the largest uniform below 1, the replacement then follows p: 0.1 → token 0.
        Verification v = RejectionSampler.verify(new int[] {0}, List.of(q), List.of(p, p),
                UniformScript.of(Math.nextDown(1.0), 0.1));
        assertEquals(new Verification(0, new int[] {0}, false, 0, 0), v);
    }

    @Test
    void toleranceZeroIsTheLosslessRule() {
        Distribution p = dist(0.5, 0.3, 0.2);
        Distribution q = dist(0.05, 0.05, 0.9);
        List<Distribution> ps = List.of(p, p, p);
        for (long seed = 0; seed < 200; seed++) {
            Sampler lossless = new Sampler(SamplingParams.defaults().withSeed(seed));
            Sampler tolerant = new Sampler(SamplingParams.defaults().withSeed(seed));
            assertEquals(RejectionSampler.verify(new int[] {2, 2}, List.of(q, q), ps, lossless),
                    RejectionSampler.verifyTolerant(new int[] {2, 2}, List.of(q, q), ps, 0.0, tolerant));
            assertEquals(lossless.uniform(), tolerant.uniform(), "same randomness consumed, seed " + seed);
        }
    }

    @Test
    void aLargeToleranceKeepsRejectedDraftsAndCountsThem() {
        Distribution p = dist(0.5, 0.3, 0.2);
        Distribution q = dist(0.05, 0.05, 0.9);
        List<Distribution> ps = List.of(p, dist(0.1, 0.9, 0));
        // u = 0.5 rejects x = 2 (ratio 0.2/0.9); −ln 0.2 ≈ 1.609.
        assertEquals(new Verification(1, new int[] {2, 1}, true, -1, 1),
                RejectionSampler.verifyTolerant(new int[] {2}, List.of(q), ps, 2.0, UniformScript.of(0.5, 0.5)));
        // τ below −ln p(x): rolled back, replacement from (.45, .25, 0)/.7.
        assertEquals(new Verification(0, new int[] {0}, false, 0, 0),
                RejectionSampler.verifyTolerant(new int[] {2}, List.of(q), ps, 1.5, UniformScript.of(0.5, 0.5)));
        // Accepted drafts are not "tolerated", whatever τ.
        assertEquals(new Verification(1, new int[] {0, 1}, true, -1, 0),
                RejectionSampler.verifyTolerant(new int[] {0}, List.of(q), ps, 5.0, UniformScript.of(0.5)));
        // p(x) = 0: any finite τ rolls back; +∞ means "never roll back".
        List<Distribution> banned = List.of(dist(0.5, 0.5, 0), ps.get(1));
        assertEquals(0, RejectionSampler.verifyTolerant(new int[] {2}, null, banned, 1e9, UniformScript.of(0.5))
                .accepted());
        assertEquals(new Verification(1, new int[] {2, 1}, true, -1, 1),
                RejectionSampler.verifyTolerant(new int[] {2}, null, banned, Double.POSITIVE_INFINITY,
                        UniformScript.of(0.5)));
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verifyTolerant(new int[] {2}, null, banned, -0.1, UniformScript.none()));
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verifyTolerant(new int[] {2}, null, banned, Double.NaN, UniformScript.none()));
    }

    @Test
    void greedyCascadesCanScoreRollbackOnSeparateDistributions() {
        // At temperature 0 p is a point mass: −ln p(x) = ∞ for any mismatch, nothing is tolerated...
        List<Distribution> ps = List.of(Distribution.pointMass(2, 0), Distribution.pointMass(2, 1));
        assertEquals(new Verification(0, new int[] {0}, false, 0, 0),
                RejectionSampler.verifyTolerant(new int[] {1}, null, ps, 1.0, UniformScript.none()));
        // ...unless the rollback test reads the model's own probabilities: −ln 0.4 ≈ 0.92 ≤ 1.
        List<Distribution> scores = List.of(dist(0.6, 0.4));
        assertEquals(new Verification(1, new int[] {1, 1}, true, -1, 1),
                RejectionSampler.verifyTolerant(new int[] {1}, null, ps, 1.0, scores, UniformScript.none()));
        assertEquals(new Verification(0, new int[] {0}, false, 0, 0),
                RejectionSampler.verifyTolerant(new int[] {1}, null, ps, 0.9, scores, UniformScript.none()));
    }

    @Test
    void aSeedReproducesTheRoundAndTheSamplerIsTheSameStreamAsItsUniforms() {
        Distribution p = dist(0.2, 0.3, 0.5);
        Distribution q = dist(0.6, 0.2, 0.2);
        List<Distribution> ps = List.of(p, p, p, p);
        int[] drafts = {0, 0, 0};
        SamplingParams params = SamplingParams.defaults().withSeed(31);
        Verification[] runs = new Verification[3];
        for (int r = 0; r < 3; r++) {
            Sampler sampler = new Sampler(params);
            runs[r] = r < 2 ? RejectionSampler.verify(drafts, List.of(q, q, q), ps, sampler)
                    : RejectionSampler.verify(drafts, List.of(q, q, q), ps, sampler::uniform);
        }
        assertEquals(runs[0], runs[1]);
        assertEquals(runs[0], runs[2]);
        long differentRounds = java.util.stream.LongStream.range(0, 50)
                .mapToObj(s -> RejectionSampler.verify(drafts, List.of(q, q, q), ps,
                        new Sampler(params.withSeed(s))))
                .distinct().count();
        assertTrue(differentRounds > 3, "other seeds give other rounds: " + differentRounds);
    }

    @Test
    void malformedRoundsFailBeforeDrawingAnything() {
        Distribution p = dist(0.5, 0.5);
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {0, 1}, null, List.of(p, p), UniformScript.none()));
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {0}, List.of(p, p), List.of(p, p), UniformScript.none()));
        assertThrows(NullPointerException.class,
                () -> RejectionSampler.verify(new int[] {0}, null, Arrays.asList(p, null), UniformScript.none()));
        assertThrows(IllegalArgumentException.class, () -> RejectionSampler.verifyTolerant(new int[] {0, 1}, null,
                List.of(p, p, p), 1.0, List.of(p), UniformScript.none()));
        assertThrows(IllegalStateException.class,
                () -> RejectionSampler.verify(new int[0], null, List.of(p), UniformScript.of(1.0)));
    }

    @Test
    void verificationIsAConsistentValue() {
        int[] tokens = {4, 2};
        Verification v = new Verification(1, tokens, false, 1, 0);
        tokens[0] = 9;
        assertArrayEquals(new int[] {4, 2}, v.emitted(), "defensive copy in");
        v.emitted()[0] = 9;
        assertEquals(4, v.token(0), "defensive copy out");
        assertEquals(new Verification(1, new int[] {4, 2}, false, 1, 0), v);
        assertEquals(new Verification(1, new int[] {4, 2}, false, 1, 0).hashCode(), v.hashCode());
        assertNotEquals(new Verification(1, new int[] {4, 3}, false, 1, 0), v);
        assertThrows(IllegalArgumentException.class, () -> new Verification(1, new int[] {4}, false, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Verification(1, new int[] {4, 2}, true, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Verification(1, new int[] {4, 2}, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Verification(1, new int[] {4, 2}, false, 1, 2));
    }

    static Distribution dist(double... weights) {
        return Distribution.fromWeights(weights);
    }

    /** Runs a round once per uniform on an even grid (each as the last draw) and counts emitted[index]. */
    private static long[] gridCounts(java.util.function.Function<UniformScript, Verification> round, int index,
                                     int vocab) {
        long[] counts = new long[vocab];
        for (int i = 0; i < GRID; i++) {
            UniformScript script = UniformScript.of((i + 0.5) / GRID);
            counts[round.apply(script).token(index)]++;
            script.assertAllConsumed();
        }
        return counts;
    }
}
