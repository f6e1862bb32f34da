package dev.specd.runtime.adaptive;

import dev.specd.draft.StopRule;
import dev.specd.plan.PolicySpec;

/**
 * Hugging Face assisted generation's schedule: +2 after a round whose every draft token was
 * accepted, −1 otherwise, never below 1 nor above the pipeline's k; drafts stop early when the
 * draft model's confidence drops (HF: 0.4).
 */
public final class HeuristicLength implements DraftLength {

    private final int max;
    private final StopRule stop;
    private int k;
    private int asked;

    HeuristicLength(PolicySpec policy, int maxK) {
        this.max = maxK;
        this.k = Math.min(maxK, Math.max(1, maxK / 2));
        this.stop = DraftLength.stopRule(policy);
    }

    @Override
    public int next(int concurrent, int limit) {
        asked = Math.min(k, limit);
        return asked;
    }

    @Override
    public void observe(RoundRecord round, double[] confidences) {
        // As in HF: only a draft of the full length, all accepted, earns more; one cut short by
        // the confidence stop or by max_tokens counts as a miss.
        boolean all = round.firstRejected() < 0 && round.drafted() == asked && round.accepted() == asked;
        k = all ? Math.min(max, k + 2) : Math.max(1, k - 1);
    }

    @Override
    public StopRule stopRule() {
        return stop;
    }

}
