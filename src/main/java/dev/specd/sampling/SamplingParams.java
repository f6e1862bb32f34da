package dev.specd.sampling;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How one request turns logits into tokens, with the ranges and defaults an OpenAI client expects.
 *
 * <p>Every knob has a neutral value that switches it off, so the defaults reproduce plain
 * ancestral sampling from the model at temperature 1 (OpenAI's default):
 * <ul>
 *   <li>{@code temperature} in [0, 2]; 0 means greedy decoding (argmax, no randomness).</li>
 *   <li>{@code topK} &ge; 0; 0 is off (vLLM uses -1 for off; llama.cpp any value &le; 0).</li>
 *   <li>{@code topP} in (0, 1]; 1 is off.</li>
 *   <li>{@code minP} in [0, 1]; 0 is off.</li>
 *   <li>{@code presencePenalty}, {@code frequencyPenalty} in [-2, 2] with OpenAI semantics:
 *       {@code logit[t] -= presence * (count[t] > 0 ? 1 : 0) + frequency * count[t]}, counted over
 *       the generated tokens.</li>
 *   <li>{@code repetitionPenalty} in [0.01, 100], llama.cpp / CTRL style; 1 is off.</li>
 *   <li>{@code logitBias}: token id to a bias in [-100, 100] added to the logit; -100 bans the
 *       token in practice, +100 forces it.</li>
 *   <li>{@code seed}: empty means a fresh random seed per request.</li>
 * </ul>
 *
 * <p>Invalid values throw {@link InvalidSamplingParameterException}, whose message starts with the
 * OpenAI wire name of the parameter and whose {@code param()} is that name. {@code null}
 * {@code logitBias} and {@code seed} are read as "absent" because JSON mapping produces them.
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        double presencePenalty,
        double frequencyPenalty,
        double repetitionPenalty,
        Map<Integer, Float> logitBias,
        OptionalLong seed) {

    public static final double DEFAULT_TEMPERATURE = 1.0;
    public static final double MAX_TEMPERATURE = 2.0;
    public static final double MAX_ABS_PENALTY = 2.0;
    public static final float MAX_ABS_LOGIT_BIAS = 100f;
    public static final double MIN_REPETITION_PENALTY = 0.01;
    public static final double MAX_REPETITION_PENALTY = 100.0;

    public SamplingParams {
        check(temperature >= 0 && temperature <= MAX_TEMPERATURE,
                "temperature", "must be between 0 and 2, got " + temperature);
        check(topK >= 0, "top_k", "must be >= 0 (0 disables it), got " + topK);
        check(topP > 0 && topP <= 1, "top_p", "must be in (0, 1] (1 disables it), got " + topP);
        check(minP >= 0 && minP <= 1, "min_p", "must be in [0, 1] (0 disables it), got " + minP);
        checkPenalty(presencePenalty, "presence_penalty");
        checkPenalty(frequencyPenalty, "frequency_penalty");
        // Bounded so that logit / penalty and logit * penalty stay finite floats for any real logit.
        check(repetitionPenalty >= MIN_REPETITION_PENALTY && repetitionPenalty <= MAX_REPETITION_PENALTY,
                "repetition_penalty", "must be between 0.01 and 100 (1 disables it), got " + repetitionPenalty);
        logitBias = logitBias == null ? Map.of() : checkedBias(logitBias);
        seed = seed == null ? OptionalLong.empty() : seed;
    }

    /** OpenAI's defaults: temperature 1, every filter and penalty off, random seed. */
    public static SamplingParams defaults() {
        return new SamplingParams(DEFAULT_TEMPERATURE, 0, 1.0, 0.0, 0.0, 0.0, 1.0, Map.of(), OptionalLong.empty());
    }

    /** Greedy decoding: always the argmax of the (biased, penalised) logits. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0.0);
    }

    /** Temperature 0: the processed distribution is a point mass and sampling draws no randomness. */
    public boolean isGreedy() {
        return temperature == 0.0;
    }

    /** Whether any history-dependent penalty is active; if not, the token history can be ignored. */
    public boolean hasPenalties() {
        return presencePenalty != 0.0 || frequencyPenalty != 0.0 || repetitionPenalty != 1.0;
    }

    public SamplingParams withTemperature(double value) {
        return new SamplingParams(value, topK, topP, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withTopK(int value) {
        return new SamplingParams(temperature, value, topP, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withTopP(double value) {
        return new SamplingParams(temperature, topK, value, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withMinP(double value) {
        return new SamplingParams(temperature, topK, topP, value, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withPresencePenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, value, frequencyPenalty,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withFrequencyPenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, presencePenalty, value,
                repetitionPenalty, logitBias, seed);
    }

    public SamplingParams withRepetitionPenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, presencePenalty, frequencyPenalty,
                value, logitBias, seed);
    }

    public SamplingParams withLogitBias(Map<Integer, Float> value) {
        return new SamplingParams(temperature, topK, topP, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, value, seed);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, OptionalLong.of(value));
    }

    public SamplingParams withoutSeed() {
        return new SamplingParams(temperature, topK, topP, minP, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, OptionalLong.empty());
    }

    private static void checkPenalty(double value, String param) {
        check(value >= -MAX_ABS_PENALTY && value <= MAX_ABS_PENALTY,
                param, "must be between -2 and 2, got " + value);
    }

    private static Map<Integer, Float> checkedBias(Map<Integer, Float> bias) {
        // Copy through a HashMap first: Map.copyOf would throw an anonymous NPE on a null entry.
        Map<Integer, Float> copy = new HashMap<>(bias.size() * 2);
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            Integer token = e.getKey();
            Float value = e.getValue();
            check(token != null && token >= 0, "logit_bias", "keys must be token ids >= 0, got " + token);
            check(value != null && value >= -MAX_ABS_LOGIT_BIAS && value <= MAX_ABS_LOGIT_BIAS,
                    "logit_bias", "values must be between -100 and 100, got " + value + " for token " + token);
            copy.put(token, value);
        }
        return Map.copyOf(copy);
    }

    private static void check(boolean ok, String param, String problem) {
        if (!ok) {
            throw new InvalidSamplingParameterException(param, problem);
        }
    }
}
