package dev.specd.sampling;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each truncation on its own (top-p, min-p, top-k, and their mixes), over rows built to stress the
 * fast paths: ties at every boundary, masked tokens, all-equal rows, and large rows with a long
 * tail below the row scan's cut. The fast result must equal {@link ReferenceProcessor}'s (same
 * support, same probabilities), and NaN or +Infinity anywhere must be rejected.
 */
class TruncationPropertiesTest {

    enum Mode { TOP_P, MIN_P, TOP_K, TOP_K_TOP_P, TOP_P_MIN_P, TEMPERATURE, GREEDY }

    enum Shape { GAUSSIAN, TIES, ALL_EQUAL, TAILED, MASKED }

    record Case(long seed, Mode mode, Shape shape, float[] logits, SamplingParams params) {
        @Override
        public String toString() {
            return "Case[seed=" + seed + ", " + mode + ", " + shape + ", vocab=" + logits.length + ", " + params + "]";
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.longs().map(TruncationPropertiesTest::randomCase);
    }

    @Property(tries = 300)
    void fastPathsEqualTheReference(@ForAll("cases") Case c) {
        double[] expected = ReferenceProcessor.process(c.logits(), c.params(), null);
        double[] actual = LogitsProcessor.process(c.logits(), c.params(), null, new SamplingWorkspace()).toDense();
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t] > 0, actual[t] > 0, "support differs at token " + t);
            assertEquals(expected[t], actual[t], 1e-12 + 1e-12 * expected[t], "token " + t);
        }
    }

    @Property(tries = 100)
    void nanAndPositiveInfinityAreRejectedWherever(@ForAll("cases") Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] row = c.logits().clone();
            row[r.nextInt(row.length)] = bad;
            assertThrows(IllegalArgumentException.class,
                    () -> LogitsProcessor.process(row, c.params(), null, new SamplingWorkspace()));
        }
        float[] masked = new float[c.logits().length];
        Arrays.fill(masked, Float.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class,
                () -> LogitsProcessor.process(masked, c.params(), null, new SamplingWorkspace()));
    }

    private static Case randomCase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Shape shape = Shape.values()[r.nextInt(Shape.values().length)];
        int vocab = shape == Shape.TAILED ? 2_000 + r.nextInt(20_000) : 1 + r.nextInt(r.nextBoolean() ? 10 : 3_000);
        float[] logits = switch (shape) {
            case TAILED -> Rows.realistic(seed, vocab);
            case ALL_EQUAL -> filled(vocab, (float) r.nextGaussian());
            default -> {
                float[] row = new float[vocab];
                for (int t = 0; t < vocab; t++) {
                    row[t] = shape == Shape.TIES ? r.nextInt(-3, 4) * 0.5f : (float) (r.nextGaussian() * (0.1 + r.nextDouble(8)));
                    if (shape == Shape.MASKED && r.nextInt(3) == 0) row[t] = Float.NEGATIVE_INFINITY;
                }
                row[r.nextInt(vocab)] = 2f; // at least one token stays unmasked
                yield row;
            }
        };
        Mode mode = Mode.values()[r.nextInt(Mode.values().length)];
        double temperature = r.nextInt(4) == 0 ? r.nextDouble(0.01, 0.3) : r.nextDouble(0.3, 2.0);
        double topP = r.nextBoolean() ? r.nextDouble(0.05, 1.0) : new double[] {0.5, 0.9, 0.95, 0.99}[r.nextInt(4)];
        double minP = r.nextBoolean() ? r.nextDouble(1e-6, 1.0) : new double[] {0.01, 0.05, 0.1}[r.nextInt(3)];
        int topK = 1 + r.nextInt(Math.max(1, Math.min(vocab, 200)));
        SamplingParams base = SamplingParams.defaults().withTemperature(temperature);
        SamplingParams params = switch (mode) {
            case TOP_P -> base.withTopP(topP);
            case MIN_P -> base.withMinP(minP);
            case TOP_K -> base.withTopK(topK);
            case TOP_K_TOP_P -> base.withTopK(topK).withTopP(topP);
            case TOP_P_MIN_P -> base.withTopP(topP).withMinP(minP);
            case TEMPERATURE -> base;
            case GREEDY -> SamplingParams.greedy();
        };
        return new Case(seed, mode, shape, logits, params);
    }

    private static float[] filled(int n, float v) {
        float[] row = new float[n];
        Arrays.fill(row, v);
        return row;
    }
}
