package dev.specd.runtime.adaptive;

import dev.specd.draft.StopRule;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;

/**
 * One request's draft-length controller: before each round it says how many tokens to draft,
 * after it learns what was accepted. Made per request from the pipeline's policy (or the
 * request's override); lives on the engine thread with its generation.
 */
public sealed interface DraftLength permits DraftLength.Fixed, HeuristicLength, AdaptiveLength {

    /**
     * @param concurrent sequences that share the next verify batch, this one included
     * @param limit      most tokens that may be drafted now (k, max_tokens and context permitting)
     * @return tokens to draft this round, 0..limit; 0 means a plain target step
     */
    int next(int concurrent, int limit);

    /**
     * The round just verified (only rounds that drafted something).
     *
     * @param confidences the draft model's confidence in each drafted token (1 for free drafts)
     */
    void observe(RoundRecord round, double[] confidences);

    /** When a model drafter should stop early, from its confidence in the last token. */
    StopRule stopRule();

    /** The static policy: always the limit (k). */
    record Fixed() implements DraftLength {
        public int next(int concurrent, int limit) {
            return limit;
        }

        public void observe(RoundRecord round, double[] confidences) {
        }

        public StopRule stopRule() {
            return StopRule.NEVER;
        }
    }

    /**
     * The controller for one request under {@code settings}' policy.
     *
     * @param profile the pipeline's measurements (the adaptive policy predicts from them)
     */
    public static DraftLength of(SpeculationSpec settings, PipelineProfile profile, RequestClass cls, PolicyEvents telemetry) {
        // Only lossless drafts take their length from a policy: the cascade follows its τ.
        if (settings.mode() != SpeculationMode.LOSSLESS) return new Fixed();
        return switch (settings.policy().policy()) {
            case STATIC -> new Fixed();
            case HEURISTIC -> new HeuristicLength(settings.policy(), settings.k());
            case ADAPTIVE -> new AdaptiveLength(settings.policy(), profile, cls, telemetry);
        };
    }

    /** Draft confidence below the policy's threshold ends a draft; a threshold of 0 never does. */
    static StopRule stopRule(PolicySpec policy) {
        return policy.stopConfidence() > 0 ? StopRule.below(policy.stopConfidence()) : StopRule.NEVER;
    }
}
