package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogprobsTest {

    @Test
    void logSoftmaxOfEqualLogitsIsMinusLogV() {
        double[] lp = Logprobs.logSoftmax(new float[] {0.3f, 0.3f, 0.3f, 0.3f});
        for (double v : lp) {
            assertEquals(-Math.log(4), v, 1e-12);
        }
    }

    @Test
    void logSoftmaxExponentiatesToOneAndSurvivesHugeLogits() {
        float[] logits = {1000f, 1001f, 999f, -1000f};
        double[] lp = Logprobs.logSoftmax(logits);
        assertEquals(1.0, Arrays.stream(lp).map(Math::exp).sum(), 1e-12);
        double logZ = 1001 + Math.log(Math.exp(-1) + 1 + Math.exp(-2) + Math.exp(-2001));
        assertEquals(1000 - logZ, lp[0], 1e-9);
        assertEquals(lp[1], Logprobs.logprob(logits, 1), 0.0);
    }

    @Test
    void topListsTheMostLikelyFirstWithTiesByTokenId() {
        float[] logits = {0f, 2f, Float.NEGATIVE_INFINITY, 2f, 1f};
        List<Logprobs.Entry> top = Logprobs.top(logits, 3);
        assertEquals(List.of(1, 3, 4), top.stream().map(Logprobs.Entry::token).toList());
        double logZ = Logprobs.logSumExp(logits);
        assertEquals(2 - logZ, top.get(0).logprob(), 1e-12);
        assertEquals(4, Logprobs.top(logits, 10).size(), "masked tokens are not listed");
        assertEquals(List.of(), Logprobs.top(logits, 0));
    }

    @Test
    void positionReportsTheChosenTokenEvenWhenOutsideTheTop() {
        float[] logits = {0f, 2f, -1f, 2f, 1f};
        Logprobs.Position position = Logprobs.at(logits, 2, 2);
        assertEquals(2, position.chosen().token());
        assertEquals(Logprobs.logprob(logits, 2), position.chosen().logprob(), 1e-15);
        assertEquals(List.of(1, 3), position.top().stream().map(Logprobs.Entry::token).toList());
        assertThrows(IllegalArgumentException.class, () -> Logprobs.at(logits, 5, 1));
    }

    @Test
    void theseAreTheModelsLogprobsNotTheProcessedOnes() {
        float[] logits = {1f, 0f};
        Distribution processed = LogitsProcessor.process(logits, SamplingParams.defaults().withTemperature(0.5));
        double model = Logprobs.logprob(logits, 1);
        assertEquals(-Math.log(1 + Math.E), model, 1e-12);
        assertEquals(-Math.log(1 + Math.exp(2)), processed.logProb(1), 1e-12);
    }
}
