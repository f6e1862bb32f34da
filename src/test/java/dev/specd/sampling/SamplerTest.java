package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {

    /** Chi-square critical value for 4 degrees of freedom at significance 0.001. */
    private static final double CHI2_DF4_P001 = 18.467;
    private static final int DRAWS = 20_000;

    private static final double[] P = {0.5, 0.2, 0.15, 0.1, 0.05};

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = new float[50];
        Arrays.fill(logits, 1f);
        SamplingParams p = SamplingParams.defaults().withTopK(40).withTemperature(0.8);
        int[] a = draw(new Sampler(p.withSeed(99)), logits, 500);
        int[] b = draw(new Sampler(p.withSeed(99)), logits, 500);
        int[] c = draw(new Sampler(p.withSeed(100)), logits, 500);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(99, new Sampler(p.withSeed(99)).seed());
    }

    @Test
    void withoutASeedEachRequestGetsItsOwn() {
        assertNotEquals(new Sampler(SamplingParams.defaults()).seed(), new Sampler(SamplingParams.defaults()).seed());
    }

    @Test
    void temperatureOneSamplingMatchesTheDistribution() {
        long[] observed = counts(new Sampler(SamplingParams.defaults().withSeed(12345)), logitsOf(P), DRAWS);
        assertTrue(chiSquare(observed, P) < CHI2_DF4_P001, Arrays.toString(observed));
        // The test has power: swapping two probabilities is rejected on the same sample.
        double[] swapped = {0.5, 0.15, 0.2, 0.1, 0.05};
        assertTrue(chiSquare(observed, swapped) > CHI2_DF4_P001, Arrays.toString(observed));
    }

    @Test
    void processedSamplingMatchesTheProcessedDistribution() {
        // Top-3 at T = 1.5 leaves probabilities proportional to p^(1/1.5) on the three best.
        double[] expected = new double[5];
        double z = 0;
        for (int t = 0; t < 3; t++) {
            expected[t] = Math.pow(P[t], 1 / 1.5);
            z += expected[t];
        }
        for (int t = 0; t < 3; t++) {
            expected[t] /= z;
        }
        Sampler sampler = new Sampler(SamplingParams.defaults().withTemperature(1.5).withTopK(3).withSeed(777));
        long[] observed = counts(sampler, logitsOf(P), DRAWS);
        assertEquals(0, observed[3] + observed[4], "filtered tokens are never drawn");
        long[] kept = Arrays.copyOf(observed, 3);
        double[] keptExpected = Arrays.copyOf(expected, 3);
        // 2 degrees of freedom at 0.001: 13.816.
        assertTrue(chiSquare(kept, keptExpected) < 13.816, Arrays.toString(observed));
        assertTrue(chiSquare(kept, new double[] {0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85}) > 13.816,
                "sampling at T = 1 instead of 1.5 would be detected");
    }

    @Test
    void greedyConsumesNoRandomness() {
        float[] logits = logitsOf(P);
        Sampler greedy = new Sampler(SamplingParams.greedy().withSeed(7));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, greedy.sample(logits, null));
            assertEquals(3, greedy.sample(Distribution.pointMass(5, 3)));
        }
        assertEquals(new Sampler(SamplingParams.defaults().withSeed(7)).uniform(), greedy.uniform());
    }

    @Test
    void eachNonDegenerateSampleTakesExactlyOneUniformAndInvertsTheCdf() {
        Distribution d = LogitsProcessor.process(logitsOf(P), SamplingParams.defaults());
        Sampler sampler = new Sampler(SamplingParams.defaults().withSeed(5));
        Sampler twin = new Sampler(SamplingParams.defaults().withSeed(5));
        for (int i = 0; i < 100; i++) {
            assertEquals(d.quantile(twin.uniform()), sampler.sample(d));
        }
        assertEquals(twin.uniform(), sampler.uniform());
    }

    @Test
    void historyDrivesPenaltiesButIsNotModified() {
        float[] logits = {2f, 1.9f, 0f};
        TokenCounts history = TokenCounts.of(0, 0);
        Sampler sampler = new Sampler(SamplingParams.greedy().withFrequencyPenalty(1));
        assertEquals(1, sampler.sample(logits, history));
        assertEquals(2, history.size());
    }

    private static int[] draw(Sampler sampler, float[] logits, int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = sampler.sample(logits, null);
        }
        return tokens;
    }

    private static long[] counts(Sampler sampler, float[] logits, int n) {
        long[] counts = new long[logits.length];
        for (int i = 0; i < n; i++) {
            counts[sampler.sample(logits, null)]++;
        }
        return counts;
    }

    private static double chiSquare(long[] observed, double[] expectedProbs) {
        long n = Arrays.stream(observed).sum();
        double chi2 = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = n * expectedProbs[i];
            chi2 += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return chi2;
    }

    private static float[] logitsOf(double[] probs) {
        // Shifted by a constant: softmax must not care.
        float[] logits = LogitsProcessorTest.logitsOf(probs);
        for (int t = 0; t < logits.length; t++) {
            logits[t] += 3f;
        }
        return logits;
    }
}
