package dev.specd.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How many tokens to draft each round. The plan compiler and the request mapper read the names;
 * the runtime turns the value into a draft-length controller, never by comparing strings.
 */
public enum SpeculationPolicy {
    /** Always k (the spec's or the request's). */
    STATIC,
    /** Hugging Face assisted generation: k += 2 after a fully accepted draft, k -= 1 otherwise. */
    HEURISTIC,
    /**
     * Each round the k in 0..max that maximises expected tokens per unit of predicted time, from
     * the pipeline's measured acceptance and cost profile; k = 0 turns speculation off until a
     * periodic probe finds it pays again.
     */
    ADAPTIVE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SpeculationPolicy> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
    }

    /** The accepted spellings, for error messages. */
    public static String wireNames() {
        return Arrays.stream(values()).map(SpeculationPolicy::wireName).toList().toString();
    }
}
