package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    private static final SamplingParams BASE = SamplingParams.defaults();

    @Test
    void defaultsAreOpenAisAndSwitchEveryFilterOff() {
        SamplingParams p = SamplingParams.defaults();
        assertEquals(1.0, p.temperature());
        assertEquals(0, p.topK());
        assertEquals(1.0, p.topP());
        assertEquals(0.0, p.minP());
        assertEquals(0.0, p.presencePenalty());
        assertEquals(0.0, p.frequencyPenalty());
        assertEquals(1.0, p.repetitionPenalty());
        assertTrue(p.logitBias().isEmpty());
        assertTrue(p.seed().isEmpty());
        assertFalse(p.isGreedy());
        assertFalse(p.hasPenalties());
    }

    @Test
    void greedyIsTemperatureZero() {
        assertTrue(SamplingParams.greedy().isGreedy());
        assertEquals(0.0, SamplingParams.greedy().temperature());
    }

    @Test
    void boundaryValuesAreAccepted() {
        BASE.withTemperature(0).withTemperature(2);
        BASE.withTopP(1e-9).withTopP(1);
        BASE.withMinP(0).withMinP(1);
        BASE.withPresencePenalty(-2).withPresencePenalty(2);
        BASE.withFrequencyPenalty(-2).withFrequencyPenalty(2);
        BASE.withLogitBias(Map.of(0, -100f, 5, 100f));
        assertTrue(BASE.withFrequencyPenalty(0.5).hasPenalties());
        assertTrue(BASE.withRepetitionPenalty(1.1).hasPenalties());
    }

    @Test
    void eachOutOfRangeValueNamesItsParameter() {
        rejects("temperature", () -> BASE.withTemperature(-0.1));
        rejects("temperature", () -> BASE.withTemperature(2.01));
        rejects("temperature", () -> BASE.withTemperature(Double.NaN));
        rejects("top_k", () -> BASE.withTopK(-1));
        rejects("top_p", () -> BASE.withTopP(0));
        rejects("top_p", () -> BASE.withTopP(1.5));
        rejects("min_p", () -> BASE.withMinP(-0.01));
        rejects("min_p", () -> BASE.withMinP(1.01));
        rejects("presence_penalty", () -> BASE.withPresencePenalty(2.5));
        rejects("frequency_penalty", () -> BASE.withFrequencyPenalty(-2.5));
        rejects("frequency_penalty", () -> BASE.withFrequencyPenalty(Double.NaN));
        rejects("repetition_penalty", () -> BASE.withRepetitionPenalty(0));
        rejects("repetition_penalty", () -> BASE.withRepetitionPenalty(Double.POSITIVE_INFINITY));
        // Found by MalformedBodiesTest: 1e-40 passed and divided a logit to +Infinity mid-generation.
        rejects("repetition_penalty", () -> BASE.withRepetitionPenalty(1e-40));
        rejects("repetition_penalty", () -> BASE.withRepetitionPenalty(0.0099));
        rejects("repetition_penalty", () -> BASE.withRepetitionPenalty(100.01));
        assertEquals(0.01, BASE.withRepetitionPenalty(0.01).repetitionPenalty());
        assertEquals(100.0, BASE.withRepetitionPenalty(100).repetitionPenalty());
        rejects("logit_bias", () -> BASE.withLogitBias(Map.of(3, 100.5f)));
        rejects("logit_bias", () -> BASE.withLogitBias(Map.of(-1, 1f)));
        Map<Integer, Float> nullValue = new HashMap<>();
        nullValue.put(7, null);
        rejects("logit_bias", () -> BASE.withLogitBias(nullValue));
    }

    @Test
    void invalidParameterIsAnIllegalArgumentException() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BASE.withTopP(2));
        assertTrue(e.getMessage().startsWith("top_p "), e.getMessage());
        assertTrue(e.getMessage().contains("2.0"), e.getMessage());
    }

    @Test
    void logitBiasIsCopiedAndImmutable() {
        Map<Integer, Float> bias = new HashMap<>(Map.of(1, 5f));
        SamplingParams p = BASE.withLogitBias(bias);
        bias.put(2, 3f);
        assertEquals(Map.of(1, 5f), p.logitBias());
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(3, 1f));
    }

    @Test
    void nullBiasAndSeedMeanAbsent() {
        SamplingParams p = new SamplingParams(1, 0, 1, 0, 0, 0, 1, null, null);
        assertTrue(p.logitBias().isEmpty());
        assertEquals(OptionalLong.empty(), p.seed());
        assertEquals(OptionalLong.of(42), p.withSeed(42).seed());
        assertEquals(OptionalLong.empty(), p.withSeed(42).withoutSeed().seed());
    }

    private static void rejects(String param, Supplier<SamplingParams> build) {
        InvalidSamplingParameterException e = assertThrows(InvalidSamplingParameterException.class, build::get);
        assertEquals(param, e.param());
        assertTrue(e.getMessage().startsWith(param + " "), e.getMessage());
    }
}
