package dev.specd.plan;

/**
 * What one request asks to change in its pipeline's speculation (the API's {@code "speculation"}
 * object); null fields keep the plan's value. Applied by {@link ExecutionPlan#withOverride}.
 *
 * @param mode             wire name: off, lossless or cascade
 * @param policy           wire name: static, heuristic or adaptive
 * @param rule             a cascade's rule: bild, chow, diff or opt
 * @param alpha            a speculative cascade rule's parameter
 * @param drafterSelection wire name: first or adaptive
 */
public record SpeculationOverride(String mode, Integer k, Double tau, String policy, String rule, Double alpha,
                                  String drafterSelection) {

    public static final SpeculationOverride NONE = new SpeculationOverride(null, null, null, null);

    public SpeculationOverride(String mode, Integer k, Double tau, String policy) {
        this(mode, k, tau, policy, null, null, null);
    }
}
