package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogitsProcessorTest {

    private static final SamplingParams T1 = SamplingParams.defaults();
    private static final SamplingParams GREEDY = SamplingParams.greedy();

    /** Logits whose softmax is exactly (up to rounding) the given probabilities. */
    static float[] logitsOf(double... probs) {
        float[] logits = new float[probs.length];
        for (int t = 0; t < probs.length; t++) {
            logits[t] = (float) Math.log(probs[t]);
        }
        return logits;
    }

    static int[] support(Distribution d) {
        int[] tokens = new int[d.supportSize()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = d.supportToken(i);
        }
        return tokens;
    }

    @Test
    void greedyIsAPointMassOnTheArgmax() {
        Distribution d = LogitsProcessor.process(new float[] {0.1f, 2.5f, -1f, 2.4f}, GREEDY);
        assertTrue(d.isPointMass());
        assertEquals(1, d.argmax());
        assertEquals(1.0, d.prob(1));
        assertEquals(0.0, d.prob(3));
    }

    @Test
    void greedyTiesGoToTheLowestTokenId() {
        float[] logits = {1f, 3f, -0.0f, 3f, 0.0f};
        assertEquals(1, LogitsProcessor.process(logits, GREEDY).argmax());
        assertEquals(1, LogitsProcessor.greedyToken(logits, T1, null));
        float[] zeros = {-1f, -0.0f, 0.0f};
        assertEquals(1, LogitsProcessor.process(zeros, GREEDY).argmax(), "-0.0 and 0.0 are one logit");
    }

    @Test
    void biasOfMinus100BansAndPlus100Forces() {
        float[] logits = {0f, 5f, 1f, 4.9f};
        assertEquals(2, LogitsProcessor.process(logits, GREEDY.withLogitBias(Map.of(1, -100f, 3, -100f))).argmax());
        assertEquals(0, LogitsProcessor.process(logits, GREEDY.withLogitBias(Map.of(0, 100f))).argmax());

        Distribution banned = LogitsProcessor.process(logits, T1.withTemperature(2).withLogitBias(Map.of(1, -100f)));
        assertTrue(banned.prob(1) < 1e-20, banned.toString());
        Distribution forced = LogitsProcessor.process(logits, T1.withTemperature(2).withLogitBias(Map.of(0, 100f)));
        assertTrue(forced.prob(0) > 1 - 1e-15, forced.toString());
    }

    @Test
    void presenceAndFrequencyPenaltiesFollowTheOpenAiFormula() {
        float[] logits = {0.5f, -1.25f, 3f, 2f, 0f, 1.5f};
        TokenCounts history = TokenCounts.of(2, 2, 5, 2);
        SamplingParams p = T1.withPresencePenalty(0.7).withFrequencyPenalty(0.3);
        float[] adjusted = LogitsProcessor.adjustLogits(logits, p, history);
        for (int t = 0; t < logits.length; t++) {
            int count = history.count(t);
            double expected = logits[t] - (0.7 * (count > 0 ? 1 : 0) + 0.3 * count);
            assertEquals(expected, adjusted[t], 1e-6, "token " + t);
        }
        assertEquals(3f - 1.6f, adjusted[2], 1e-6);
        assertEquals(1.5f - 1.0f, adjusted[5], 1e-6);
        assertEquals(logits[0], adjusted[0], "unseen tokens are untouched");

        // The processed distribution is the softmax of the penalised logits.
        Distribution d = LogitsProcessor.process(logits, p, history);
        double[] expected = softmax(adjusted, 1.0);
        assertArrayEquals(expected, d.toDense(), 1e-12);
    }

    @Test
    void negativePenaltiesEncourageRepetition() {
        SamplingParams p = T1.withPresencePenalty(-1).withFrequencyPenalty(-0.5);
        float[] adjusted = LogitsProcessor.adjustLogits(new float[] {1f, 1f}, p, TokenCounts.of(0, 0));
        assertEquals(3f, adjusted[0], 1e-6);
        assertEquals(1f, adjusted[1]);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsAfterTheBias() {
        SamplingParams p = T1.withRepetitionPenalty(2).withLogitBias(Map.of(0, 2f));
        float[] adjusted = LogitsProcessor.adjustLogits(new float[] {2f, -3f, 4f}, p, TokenCounts.of(0, 1, 0));
        assertEquals(2f, adjusted[0], "(2 + 2 bias) / 2, not 2 / 2 + 2");
        assertEquals(-6f, adjusted[1]);
        assertEquals(4f, adjusted[2]);
    }

    @Test
    void penaltiesAreIgnoredWhenSwitchedOffAndIdsOutsideTheVocabularyAreSkipped() {
        float[] logits = {1f, 2f, 3f};
        TokenCounts history = TokenCounts.of(0, 1, 7);
        assertArrayEquals(logits, LogitsProcessor.adjustLogits(logits, T1, history));
        float[] adjusted = LogitsProcessor.adjustLogits(logits,
                T1.withFrequencyPenalty(1).withLogitBias(Map.of(9, 5f)), history);
        assertArrayEquals(new float[] {0f, 1f, 3f}, adjusted);
    }

    @Test
    void processingLeavesTheInputUntouched() {
        float[] logits = {1f, 2f, 3f, 4f};
        float[] before = logits.clone();
        LogitsProcessor.process(logits, T1.withLogitBias(Map.of(0, 3f)).withFrequencyPenalty(1).withTopK(2),
                TokenCounts.of(3, 3));
        assertArrayEquals(before, logits);
    }

    @Test
    void topKKeepsExactlyKWithTiesToTheLowerId() {
        float[] logits = {1f, 5f, 3f, 5f, 3f, 0f};
        Distribution d = LogitsProcessor.process(logits, T1.withTopK(3));
        assertArrayEquals(new int[] {1, 2, 3}, support(d));
        double z = 2 * Math.exp(5) + Math.exp(3);
        assertEquals(Math.exp(3) / z, d.prob(2), 1e-12);
        assertEquals(0.0, d.prob(4));
        assertEquals(6, LogitsProcessor.process(logits, T1.withTopK(6)).supportSize());
        assertEquals(6, LogitsProcessor.process(logits, T1.withTopK(100)).supportSize());
        assertArrayEquals(new int[] {1}, support(LogitsProcessor.process(logits, T1.withTopK(1))));
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        // Token ids deliberately not in probability order: 3 > 0 > 2 > 1.
        float[] logits = logitsOf(0.3, 0.05, 0.15, 0.5);
        assertArrayEquals(new int[] {3}, support(LogitsProcessor.process(logits, T1.withTopP(0.45))));
        assertArrayEquals(new int[] {0, 3}, support(LogitsProcessor.process(logits, T1.withTopP(0.75))));
        assertArrayEquals(new int[] {0, 2, 3}, support(LogitsProcessor.process(logits, T1.withTopP(0.81))));
        assertArrayEquals(new int[] {0, 1, 2, 3}, support(LogitsProcessor.process(logits, T1.withTopP(0.99))));

        Distribution d = LogitsProcessor.process(logits, T1.withTopP(0.75));
        assertEquals(0.5 / 0.8, d.prob(3), 1e-6);
        assertEquals(0.3 / 0.8, d.prob(0), 1e-6);
    }

    @Test
    void topPBreaksTiesByTokenId() {
        Distribution d = LogitsProcessor.process(new float[] {0f, 0f, 0f, 0f}, T1.withTopP(0.3));
        assertArrayEquals(new int[] {0, 1}, support(d));
        assertEquals(0.5, d.prob(1), 1e-15);
        // Mass exactly p is enough: 2 of 4 equal tokens reach 0.5, a third is not needed.
        assertArrayEquals(new int[] {0, 1},
                support(LogitsProcessor.process(new float[] {0f, 0f, 0f, 0f}, T1.withTopP(0.5))));
        assertArrayEquals(new int[] {0},
                support(LogitsProcessor.process(new float[] {0f, 0f, 0f, 0f}, T1.withTopK(2).withTopP(0.5))));
    }

    @Test
    void topPMeasuresMassAfterTopK() {
        float[] logits = logitsOf(0.4, 0.3, 0.2, 0.1);
        // After top-2 the best token has 0.4 / 0.7 = 0.571 >= 0.55, so it alone is the nucleus.
        assertArrayEquals(new int[] {0}, support(LogitsProcessor.process(logits, T1.withTopK(2).withTopP(0.55))));
        assertArrayEquals(new int[] {0, 1}, support(LogitsProcessor.process(logits, T1.withTopP(0.55))));
    }

    @Test
    void minPKeepsTokensWithinAFractionOfTheMostLikely() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        assertArrayEquals(new int[] {0, 1, 2}, support(LogitsProcessor.process(logits, T1.withMinP(0.25))));
        assertArrayEquals(new int[] {0, 1}, support(LogitsProcessor.process(logits, T1.withMinP(0.59))));
        assertArrayEquals(new int[] {0}, support(LogitsProcessor.process(logits, T1.withMinP(0.61))));
        assertArrayEquals(new int[] {0}, support(LogitsProcessor.process(logits, T1.withMinP(1))));
        Distribution d = LogitsProcessor.process(logits, T1.withMinP(0.59));
        assertEquals(0.5 / 0.8, d.prob(0), 1e-6);
    }

    @Test
    void minPActsOnTheTemperedDistribution() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        // At T = 2 ratios to the best are square-rooted: token 2 has sqrt(0.3) = 0.55 >= 0.5.
        assertArrayEquals(new int[] {0, 1}, support(LogitsProcessor.process(logits, T1.withMinP(0.5))));
        assertArrayEquals(new int[] {0, 1, 2},
                support(LogitsProcessor.process(logits, T1.withTemperature(2).withMinP(0.5))));
    }

    @Test
    void tinyTemperatureApproachesGreedy() {
        float[] logits = {1.0f, 2.0f, 1.99f};
        Distribution d = LogitsProcessor.process(logits, T1.withTemperature(1e-4));
        assertEquals(1, d.argmax());
        // exp(-0.01 / 1e-4) = exp(-100): the runner-up keeps ~4e-44, the rest is on the argmax.
        assertTrue(d.prob(2) < 1e-40, d.toString());
        assertEquals(1.0, d.prob(1), 1e-15);
        assertEquals(0.0, d.prob(0), "exp(-10000) underflows: the token leaves the support");
    }

    @Test
    void temperatureTwoFlattens() {
        float[] logits = {3f, 1f, 0f, -2f};
        Distribution t1 = LogitsProcessor.process(logits, T1);
        Distribution t2 = LogitsProcessor.process(logits, T1.withTemperature(2));
        assertArrayEquals(softmax(logits, 1.0), t1.toDense(), 1e-12);
        assertArrayEquals(softmax(logits, 2.0), t2.toDense(), 1e-12);
        assertTrue(t2.prob(0) < t1.prob(0));
        assertTrue(t2.prob(3) > t1.prob(3));
        assertTrue(entropy(t2) > entropy(t1));
    }

    @Test
    void maskedTokensGetNoMass() {
        float ninf = Float.NEGATIVE_INFINITY;
        Distribution d = LogitsProcessor.process(new float[] {ninf, 0f, ninf, 0f}, T1);
        assertArrayEquals(new int[] {1, 3}, support(d));
        assertEquals(1, LogitsProcessor.process(new float[] {ninf, 0f, ninf}, T1.withTopK(2)).supportSize());
        assertThrows(IllegalArgumentException.class, () -> LogitsProcessor.process(new float[] {ninf, ninf}, T1));
    }

    @Test
    void rejectsBrokenLogits() {
        assertThrows(IllegalArgumentException.class, () -> LogitsProcessor.process(new float[0], T1));
        assertThrows(IllegalArgumentException.class, () -> LogitsProcessor.process(new float[] {1f, Float.NaN}, T1));
        assertThrows(IllegalArgumentException.class,
                () -> LogitsProcessor.process(new float[] {1f, Float.POSITIVE_INFINITY}, GREEDY));
    }

    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int t = 0; t < logits.length; t++) {
            p[t] = Math.exp((logits[t] - max) / temperature);
            sum += p[t];
        }
        for (int t = 0; t < p.length; t++) {
            p[t] /= sum;
        }
        return p;
    }

    private static double entropy(Distribution d) {
        return -Arrays.stream(d.toDense()).filter(p -> p > 0).map(p -> p * Math.log(p)).sum();
    }
}
