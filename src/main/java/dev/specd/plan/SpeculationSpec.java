package dev.specd.plan;

/**
 * @param k largest number of tokens drafted per round (requests may ask for fewer)
 */
public record SpeculationSpec(SpeculationMode mode, int k, CascadeSpec cascade) {
    public static final SpeculationSpec OFF = new SpeculationSpec(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT);
}
