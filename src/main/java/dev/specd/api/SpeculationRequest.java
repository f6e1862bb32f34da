package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The optional request object {@code "speculation": {"mode", "k", "tau"}} that overrides the
 * pipeline's defaults for one request.
 *
 * @param mode {@code off}, {@code lossless} or {@code cascade}
 * @param k    most tokens drafted per round
 * @param tau  cascade confidence threshold in [0, 1]
 * @param policy {@code static}, {@code heuristic} or {@code adaptive}: how k is chosen each round
 *               (with the latter two, k is the most they may draft)
 * @param rule   a cascade's rule: {@code bild}, {@code chow}, {@code diff} or {@code opt}
 * @param alpha  a speculative cascade rule's parameter (larger: faster, further from the target)
 * @param drafterSelection {@code first} or {@code adaptive}: how each round's drafter is chosen
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SpeculationRequest(String mode, Integer k, Double tau, String policy, String rule, Double alpha,
                                 @JsonProperty("drafter_selection") String drafterSelection) {
}
