package dev.specd.plan;

/**
 * How a pipeline speculates, as written in its spec.
 *
 * @param k       largest number of tokens drafted per round (requests may ask for fewer); 0 = not
 *                written, the compiler's {@code fold-defaults} pass makes it {@link #DEFAULT_K}
 * @param cascade the cascade settings; meaningful only with {@link SpeculationMode#CASCADE}
 * @param policy  how k is chosen each round; with the adaptive and heuristic policies k is the most
 *                they may draft
 */
public record SpeculationSpec(SpeculationMode mode, int k, CascadeSpec cascade, PolicySpec policy) {
    public static final SpeculationSpec OFF = new SpeculationSpec(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT);

    /** With the default (adaptive) policy. */
    public SpeculationSpec(SpeculationMode mode, int k, CascadeSpec cascade) {
        this(mode, k, cascade, PolicySpec.DEFAULT);
    }

    /** Draft length when the spec does not give one (llama.cpp's and Hugging Face's usual start). */
    public static final int DEFAULT_K = 4;

    /** Upper bound on k: a verify batch of k + 1 rows per sequence must stay a small batch. */
    public static final int MAX_K = 32;
}
