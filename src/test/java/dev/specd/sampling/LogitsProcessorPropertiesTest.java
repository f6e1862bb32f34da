package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Properties of the processed distribution over random logits, histories and parameters, and
 * exact agreement with {@link ReferenceProcessor}, including at vocabulary sizes where the
 * optimised paths (heap top-k, bucketed top-p) matter.
 */
class LogitsProcessorPropertiesTest {

    /** One random processing problem, reproducible from its seed. */
    record Case(long seed, float[] logits, SamplingParams params, TokenCounts history) {
        @Override
        public String toString() {
            return "Case[seed=" + seed + ", vocab=" + logits.length + ", " + params + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.longs().map(LogitsProcessorPropertiesTest::randomCase);
    }

    @Property(tries = 400)
    void distributionIsNormalisedAndWellFormed(@ForAll("cases") Case c) {
        Distribution d = LogitsProcessor.process(c.logits(), c.params(), c.history());
        double sum = 0;
        int previous = -1;
        for (int i = 0; i < d.supportSize(); i++) {
            int token = d.supportToken(i);
            assertTrue(token > previous && token < c.logits().length, "support ascending, inside vocabulary");
            assertTrue(d.supportProb(i) > 0);
            previous = token;
            sum += d.supportProb(i);
        }
        assertEquals(1.0, sum, 1e-9);
        assertTrue(d.prob(d.argmax()) > 0);
        // The processed argmax is always the greedy token: no filter ever removes the best.
        assertEquals(LogitsProcessor.greedyToken(c.logits(), c.params(), c.history()), d.argmax());
        if (c.params().topK() > 0) {
            assertTrue(d.supportSize() <= c.params().topK());
        }
    }

    @Property(tries = 400)
    void agreesWithTheNaiveReference(@ForAll("cases") Case c) {
        assertAgrees(c.logits(), c.params(), c.history());
    }

    @Test
    void agreesWithTheReferenceOnA150kVocabulary() {
        SplittableRandom random = new SplittableRandom(2024);
        float[] logits = new float[152_064];
        for (int t = 0; t < logits.length; t++) {
            logits[t] = (float) (random.nextGaussian() * 2.5);
        }
        logits[1234] = 14f;
        logits[99_000] = 13.5f;
        TokenCounts history = TokenCounts.of(1234, 1234, 7, 99_000);
        SamplingParams base = SamplingParams.defaults().withFrequencyPenalty(0.4);
        SamplingParams[] variants = {
            base,
            base.withTopP(0.95),
            base.withTopP(0.9).withTemperature(0.7),
            base.withTopP(0.999).withMinP(0.001),
            base.withTopK(40).withTopP(0.9),
            base.withTopK(1000).withMinP(0.05).withTemperature(1.3),
        };
        for (SamplingParams p : variants) {
            assertAgrees(logits, p, history);
        }
    }

    private static void assertAgrees(float[] logits, SamplingParams params, TokenCounts history) {
        double[] expected = ReferenceProcessor.process(logits, params, history);
        double[] actual = LogitsProcessor.process(logits, params, history).toDense();
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t] > 0, actual[t] > 0, "support differs at token " + t + " for " + params);
            assertEquals(expected[t], actual[t], 1e-12 + 1e-12 * expected[t], "token " + t + " for " + params);
        }
    }

    private static Case randomCase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int vocab = 1 + r.nextInt(r.nextBoolean() ? 8 : 300);
        float[] logits = new float[vocab];
        boolean ties = r.nextBoolean();
        for (int t = 0; t < vocab; t++) {
            // A small palette forces ties at every filter boundary; Gaussians exercise the rest.
            logits[t] = ties ? r.nextInt(-3, 4) * 0.5f : (float) (r.nextGaussian() * (0.1 + r.nextDouble(6)));
            if (r.nextInt(10) == 0) {
                logits[t] = Float.NEGATIVE_INFINITY;
            }
        }
        logits[r.nextInt(vocab)] = ties ? 1.5f : 0f; // at least one token stays unmasked
        TokenCounts history = new TokenCounts();
        int generated = r.nextInt(20);
        for (int i = 0; i < generated; i++) {
            history.add(r.nextInt(vocab + 2)); // a few ids outside the vocabulary on purpose
        }
        Map<Integer, Float> bias = new HashMap<>();
        int biased = r.nextInt(3);
        for (int i = 0; i < biased; i++) {
            bias.put(r.nextInt(vocab), (float) (r.nextBoolean() ? r.nextInt(-2, 3) : r.nextDouble(-100, 100)));
        }
        double temperature = switch (r.nextInt(5)) {
            case 0 -> 0.0;
            case 1 -> 1.0;
            default -> r.nextDouble(0.01, 2.0);
        };
        SamplingParams params = new SamplingParams(
                temperature,
                r.nextBoolean() ? 0 : r.nextInt(vocab + 3),
                r.nextBoolean() ? 1.0 : pick(r, 0.25, 0.5, 0.75, r.nextDouble(0.01, 1.0)),
                r.nextBoolean() ? 0.0 : pick(r, 0.25, 0.5, 1.0, r.nextDouble()),
                r.nextBoolean() ? 0.0 : r.nextDouble(-2, 2),
                r.nextBoolean() ? 0.0 : r.nextDouble(-2, 2),
                r.nextBoolean() ? 1.0 : r.nextDouble(0.5, 1.8),
                bias,
                null);
        return new Case(seed, logits, params, history);
    }

    private static double pick(SplittableRandom r, double... options) {
        return options[r.nextInt(options.length)];
    }
}
