package dev.specd.plan;

/**
 * What one request asks to change in its pipeline's speculation (the API's {@code "speculation"}
 * object); null fields keep the plan's value. Applied by {@link ExecutionPlan#withOverride}.
 *
 * @param mode   wire name: off, lossless or cascade
 * @param policy wire name: static, heuristic or adaptive
 */
public record SpeculationOverride(String mode, Integer k, Double tau, String policy) {

    public static final SpeculationOverride NONE = new SpeculationOverride(null, null, null, null);
}
