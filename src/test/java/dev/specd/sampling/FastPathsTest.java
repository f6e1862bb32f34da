package dev.specd.sampling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-token fast paths at real vocabulary sizes agree with {@link ReferenceProcessor}: same
 * support, same probabilities, same tokens for the same seed, and on realistic rows they decide
 * without falling back to the exact path over the whole vocabulary.
 */
class FastPathsTest {

    static final int VOCAB = 152_064;

    static final SamplingParams[] VARIANTS = {
        SamplingParams.defaults().withTemperature(0.8).withTopP(0.95),
        SamplingParams.defaults().withTopP(0.9),
        SamplingParams.defaults().withTemperature(1.3).withTopP(0.99),
        SamplingParams.defaults().withTemperature(0.8).withMinP(0.05),
        SamplingParams.defaults().withTemperature(0.7).withTopP(0.9).withMinP(0.02),
        SamplingParams.defaults().withTopK(40).withTemperature(0.8).withTopP(0.95),
        SamplingParams.defaults().withTopK(1000).withMinP(0.001),
    };

    @Test
    void agreeWithTheReferenceOnRealisticRowsWithoutTheExactPath() {
        SamplingWorkspace ws = new SamplingWorkspace();
        for (long seed = 1; seed <= 3; seed++) {
            float[] row = Rows.realistic(seed, seed == 1 ? VOCAB : 32_000);
            for (SamplingParams p : VARIANTS) {
                assertSame(ReferenceProcessor.process(row, p, null), LogitsProcessor.process(row, p, null, ws), p);
            }
        }
        assertEquals(0, ws.exactFallbacks(), "realistic rows are decided among the candidates");
    }

    @Test
    void plainTemperatureAndPenaltiesStillAgree() {
        float[] row = Rows.realistic(9, 20_000);
        TokenCounts history = TokenCounts.of(1, 2, 2, 3, 19_999);
        SamplingParams p = SamplingParams.defaults().withTemperature(0.9).withFrequencyPenalty(0.5).withRepetitionPenalty(1.2)
                .withLogitBias(java.util.Map.of(7, 30f));
        SamplingWorkspace ws = new SamplingWorkspace();
        assertSame(ReferenceProcessor.process(row, p, history), LogitsProcessor.process(row, p, history, ws), p);
        assertSame(ReferenceProcessor.process(row, p.withTopP(0.8), history),
                LogitsProcessor.process(row, p.withTopP(0.8), history, ws), p);
        float before = row[7];
        LogitsProcessor.process(row, p, history, ws);
        assertEquals(before, row[7], "the caller's row is never modified");
    }

    @Test
    void sameSeedSameTokensAsSamplingTheReference() {
        for (SamplingParams p : VARIANTS) {
            float[] row = Rows.realistic(p.hashCode(), 32_000);
            Distribution reference = Distribution.fromWeights(ReferenceProcessor.process(row, p, null));
            Sampler fast = new Sampler(p.withSeed(77));
            Sampler uniforms = new Sampler(p.withSeed(77));
            for (int i = 0; i < 200; i++) {
                int expected = reference.isPointMass() ? reference.argmax() : reference.quantile(uniforms.uniform());
                assertEquals(expected, fast.sample(row, null), "draw " + i + " for " + p);
            }
        }
    }

    @Test
    void sampledFrequenciesFitTheReference() {
        SamplingParams p = SamplingParams.defaults().withTopP(0.98).withSeed(5);
        float[] row = Rows.realistic(4, 32_000);
        double[] expected = ReferenceProcessor.process(row, p, null);
        Sampler sampler = new Sampler(p);
        long[] counts = new long[row.length];
        for (int i = 0; i < 20_000; i++) counts[sampler.sample(row, null)]++;
        ChiSquare.Result fit = ChiSquare.goodnessOfFit(counts, expected);
        assertTrue(fit.pValue() > ChiSquare.SIGNIFICANCE, fit.toString());
    }

    @Test
    void lazyVerificationMatchesEagerAndReadsOnlyWhatItNeeds() {
        SamplingParams p = SamplingParams.defaults().withTemperature(0.8).withTopP(0.95);
        for (long seed = 0; seed < 40; seed++) {
            int k = 4;
            float[][] rows = new float[k + 1][];
            for (int i = 0; i <= k; i++) rows[i] = Rows.realistic(seed * 31 + i, 5_000);
            Sampler drafter = new Sampler(p.withSeed(seed));
            int[] drafts = new int[k];
            List<Distribution> q = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                // A draft that agrees with the target only sometimes: its own, shifted rows.
                float[] own = Rows.realistic(seed * 31 + i + (seed % 3 == 0 ? 0 : 1000), 5_000);
                q.add(drafter.distribution(own, null));
                drafts[i] = drafter.sample(q.getLast());
            }
            Sampler a = new Sampler(p.withSeed(seed));
            Sampler b = new Sampler(p.withSeed(seed));
            List<Distribution> eager = b.distributions(rows, drafts, null);
            assertEquals(RejectionSampler.verify(drafts, q, eager, b), RejectionSampler.verifyRows(drafts, q, rows, null, a));
        }
        // A greedy target that rejects the first draft never reads the rows after it.
        float[] first = Rows.realistic(1, 1000);
        int best = LogitsProcessor.argmax(first);
        float[] poisoned = new float[1000];
        Arrays.fill(poisoned, Float.NaN);
        float[][] rows = {first, poisoned, poisoned};
        Verification v = RejectionSampler.verifyRows(new int[] {best == 0 ? 1 : 0, 5}, null, rows, null,
                new Sampler(SamplingParams.greedy()));
        assertEquals(0, v.accepted());
        assertEquals(best, v.targetToken());
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingParams.greedy()).distributions(rows,
                new int[] {0, 5}, null));
    }

    @Test
    void maxProbabilityStaysWithinItsBound() {
        SamplingWorkspace ws = new SamplingWorkspace();
        for (long seed = 0; seed < 3; seed++) {
            float[] row = Rows.realistic(seed, VOCAB);
            double exact = Math.exp(row[LogitsProcessor.argmax(row)] - Logprobs.logSumExp(row));
            double fast = Logprobs.maxProbability(row, ws);
            assertEquals(exact, fast, exact * VOCAB * Math.exp(-RowScan.DEPTH) / 2, "seed " + seed);
        }
        float[] small = {1f, 2f, 3f, Float.NEGATIVE_INFINITY};
        assertEquals(Math.exp(3 - Logprobs.logSumExp(small)), Logprobs.maxProbability(small, ws), 1e-15);
    }

    /** A drafter's workspace scans each row once for q and for the confidence, whatever the filters did in between. */
    @Test
    void maxProbabilityReusesTheScanOfTheRowJustSampled() {
        SamplingWorkspace shared = new SamplingWorkspace();
        shared.shareScansWithMaxProbability();
        SamplingWorkspace alone = new SamplingWorkspace();
        SamplingParams[] params = {SamplingParams.greedy(), VARIANTS[0], VARIANTS[3], VARIANTS[5],
            SamplingParams.defaults().withTemperature(1.7).withTopP(0.9)};
        for (long seed = 0; seed < 4; seed++) {
            float[] row = Rows.realistic(seed, 40_000);
            double exact = Math.exp(row[LogitsProcessor.argmax(row)] - Logprobs.logSumExp(row));
            for (SamplingParams p : params) {
                assertSame(ReferenceProcessor.process(row, p, null), LogitsProcessor.process(row, p, null, shared), p);
                assertTrue(shared.scan.covers(row, RowScan.DEPTH), "the scan of " + p + " serves the confidence");
                double reused = Logprobs.maxProbability(row, shared);
                assertEquals(exact, reused, exact * row.length * Math.exp(-RowScan.DEPTH) / 2, p.toString());
                assertEquals(Logprobs.maxProbability(row, alone), reused, exact * row.length * Math.exp(-RowScan.DEPTH), p.toString());
            }
        }
        float[] other = Rows.realistic(99, 40_000);
        assertTrue(!shared.scan.covers(other, RowScan.DEPTH), "another row is scanned afresh");
    }

    @Test
    void rowScanFindsExactlyTheTokensAboveItsCutAndBoundsTheRest() {
        float[] rising = new float[3000];
        for (int t = 0; t < rising.length; t++) rising[t] = t * 0.02f; // every token raises the running maximum
        RowScan scan = new RowScan();
        for (float[] row : new float[][] {rising, Rows.realistic(3, 50_000)}) {
            for (double temperature : new double[] {0.05, 0.8, 2}) {
                scan.scan(row, temperature, RowScan.DEPTH);
                int best = LogitsProcessor.argmax(row);
                assertEquals(best, scan.best);
                double tail = 0;
                int j = 0;
                for (int t = 0; t < row.length; t++) {
                    double w = Math.exp((row[t] - (double) row[best]) / temperature);
                    boolean candidate = j < scan.count && scan.ids[j] == t;
                    if (candidate) {
                        j++;
                        assertTrue(w >= Math.exp(-RowScan.DEPTH) * (1 - 1e-6), "token " + t + " weighs " + w);
                    } else {
                        assertTrue(w <= scan.tailMaxWeight(), "token " + t + " weighs " + w);
                        tail += w;
                    }
                }
                assertEquals(scan.count, j, "candidates ascend and are all found");
                assertTrue(tail <= scan.tailBound(), tail + " > " + scan.tailBound());
            }
        }
    }

    private static void assertSame(double[] expected, Distribution actual, SamplingParams p) {
        double[] dense = actual.toDense();
        for (int t = 0; t < expected.length; t++) {
            if ((expected[t] > 0) != (dense[t] > 0)) {
                throw new AssertionError("support differs at token " + t + " for " + p + ": " + expected[t] + " vs " + dense[t]);
            }
            assertEquals(expected[t], dense[t], 1e-12 + 1e-12 * expected[t], "token " + t + " for " + p);
        }
    }
}
