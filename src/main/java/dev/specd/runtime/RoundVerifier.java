package dev.specd.runtime;

import dev.specd.sampling.CascadeVerifier;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.LogitsProcessor;
import dev.specd.sampling.RejectionSampler;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import dev.specd.sampling.TokenCounts;
import dev.specd.sampling.Verification;

import java.util.ArrayList;
import java.util.List;

/** The verify step of a {@link Generation}'s round, by the rule its {@link RoundMode} gives. */
final class RoundVerifier {

    private RoundVerifier() {
    }

    /**
     * By the mode's acceptance rule: lossless rejection sampling, which processes the target's rows
     * only as far as verification gets; in a BiLD cascade with a rollback threshold, the tolerant
     * check, which keeps a rejected draft when the target's own (temperature 1) distribution gives
     * it −ln p ≤ threshold (a greedy request's point masses could tolerate nothing); in a
     * speculative cascade, the mixture of each position's deferral decision, which reads both
     * models' raw logits for the same reason.
     *
     * @param rows     the target's rows as the request samples from them (masked by its constraint)
     * @param raw      the target's rows as the model gave them: what a deferral rule compares
     * @param history  the tokens generated so far (penalties)
     * @param deferred receives how many verified model-drafted positions the rule deferred to the target
     */
    static Verification verify(RoundMode.Acceptance acceptance, PendingDraft draft, float[][] rows, float[][] raw,
                               TokenCounts history, Sampler sampler, int[] deferred) {
        int[] tokens = draft.tokens();
        if (draft.isEmpty()) return RejectionSampler.verifyRows(tokens, draft.q(), rows, history, sampler);
        return switch (acceptance) {
            case RoundMode.Acceptance.Lossless l -> RejectionSampler.verifyRows(tokens, draft.q(), rows, history, sampler);
            case RoundMode.Acceptance.Tolerant t -> {
                List<Distribution> p = sampler.distributions(rows, tokens, history);
                List<Distribution> scores = new ArrayList<>(draft.size());
                for (int i = 0; i < draft.size(); i++) scores.add(LogitsProcessor.process(rows[i], SamplingParams.defaults()));
                yield RejectionSampler.verifyTolerant(tokens, draft.q(), p, t.rollback(), scores, sampler::uniform);
            }
            case RoundMode.Acceptance.Deferral d -> {
                List<Distribution> p = sampler.distributions(rows, tokens, history);
                double[] r = new double[tokens.length];
                for (int i = 0; i < r.length; i++) {
                    float[] own = draft.logits(i);
                    // A free draft has no distribution of its own to keep: it is verified losslessly.
                    r[i] = own == null || d.rule().defers(d.alpha(), own, raw[i]) ? 1 : 0;
                }
                Verification v = CascadeVerifier.verify(tokens, draft.q(), p, r, sampler::uniform);
                for (int i = 0; i < Math.min(r.length, v.accepted() + 1); i++) {
                    if (r[i] == 1 && draft.logits(i) != null) deferred[0]++;
                }
                yield v;
            }
        };
    }
}
