package dev.specd.plan;

/** How drafted tokens are accepted. */
public enum SpeculationMode {
    /** Target-only generation. */
    OFF,
    /** Every token is verified by the target; output distribution equals the target's. */
    LOSSLESS,
    /** SLM-first: the draft model generates alone while confident; the target verifies when it is not. */
    CASCADE;

    /** The spelling used in YAML and in the API. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static java.util.Optional<SpeculationMode> fromWire(String name) {
        return java.util.Arrays.stream(values()).filter(m -> m.wireName().equals(name)).findFirst();
    }
}
