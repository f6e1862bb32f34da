package dev.specd.runtime;

import dev.specd.draft.DraftToken;
import dev.specd.draft.StopRule;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.DeferralRule;

/**
 * What a speculation mode decides in each round of a {@link Generation}: what to draft, when a
 * draft model's run ends, and by which rule verification accepts. The round's skeleton (draft steps,
 * the verify step, rejection sampling, rollback, emission) is the generation's; only these
 * decisions differ between modes. One instance per generation; engine thread only.
 */
sealed interface RoundMode {

    static RoundMode of(SpeculationSpec s) {
        return switch (s.mode()) {
            case OFF -> new TargetOnly();
            case LOSSLESS -> new Lossless();
            case CASCADE -> s.cascade().rule().speculative() ? new SpeculativeCascade(s.cascade()) : new Cascade(s.cascade());
        };
    }

    /** The rule by which verification accepts a round's draft. */
    sealed interface Acceptance {
        /** Rejection sampling: the output is the target's distribution. */
        record Lossless() implements Acceptance {
        }

        /** BiLD's rollback: a rejected draft is kept when the target's −ln p of it is within the threshold. */
        record Tolerant(double rollback) implements Acceptance {
        }

        /** A speculative cascade: each model-drafted position accepts from the rule's mixture of q and p. */
        record Deferral(DeferralRule rule, double alpha) implements Acceptance {
        }

        Acceptance LOSSLESS = new Lossless();
    }

    SpeculationMode mode();

    /** Sets up the round's draft through {@link Generation#propose}, or leaves it empty. */
    void begin(Generation g, int concurrent);

    /**
     * A draft model proposed {@code t} (already added to the draft): true to draft another token.
     * May end the generation (a cascade that finished its answer unverified).
     */
    boolean draftOn(Generation g, DraftToken t);

    /** How this mode's rounds are verified. */
    default Acceptance acceptance() {
        return Acceptance.LOSSLESS;
    }

    /** Target-only: every round is a plain target step. */
    final class TargetOnly implements RoundMode {
        @Override
        public SpeculationMode mode() {
            return SpeculationMode.OFF;
        }

        @Override
        public void begin(Generation g, int concurrent) {
        }

        @Override
        public boolean draftOn(Generation g, DraftToken t) {
            return false;
        }
    }

    /**
     * Lossless speculation (Leviathan et al. 2023, Chen et al. 2023): the request's draft-length
     * policy picks k for the round, the first drafter in order of preference that proposes drafts
     * it, and a draft model stops at k or where the policy's stop rule says one more token will
     * not pay.
     */
    final class Lossless implements RoundMode {
        private int k;
        private StopRule stop = StopRule.NEVER;

        @Override
        public SpeculationMode mode() {
            return SpeculationMode.LOSSLESS;
        }

        @Override
        public void begin(Generation g, int concurrent) {
            k = g.length().next(concurrent, g.draftLimit());
            if (k <= 0) return;
            stop = g.length().stopRule(); // for the k just chosen
            g.propose(k, stop, true);
        }

        @Override
        public boolean draftOn(Generation g, DraftToken t) {
            return g.draft().size() < k && !stop.stopAfter(t.confidence());
        }
    }

    /**
     * SLM-first cascade (after BiLD, arXiv 2302.07863): a free draft (prompt lookup) is verified at
     * once, like a lossless one; otherwise the draft model generates alone while its confidence
     * stays at or above τ, and the target is called when it drops (or after max_unverified tokens).
     * If the draft model reaches the end of the answer first, its tokens are emitted unverified and
     * the target is never called.
     */
    final class Cascade implements RoundMode {
        private final CascadeSpec cascade;
        private int room;

        Cascade(CascadeSpec cascade) {
            this.cascade = cascade;
        }

        @Override
        public SpeculationMode mode() {
            return SpeculationMode.CASCADE;
        }

        @Override
        public void begin(Generation g, int concurrent) {
            if (g.propose(g.draftLimit(), StopRule.NEVER, false)) return;
            room = g.room();
            g.propose(room, StopRule.NEVER, true);
        }

        @Override
        public boolean draftOn(Generation g, DraftToken t) {
            if (t.confidence() < cascade.tau()) return false; // not sure: the target takes over
            int n = g.draft().size();
            if (g.endsGeneration(t.token()) || n >= room) {
                g.finishUnverified(); // the draft model finished the answer alone
                return false;
            }
            return n < cascade.maxUnverified();
        }

        @Override
        public Acceptance acceptance() {
            return cascade.rollback() == 0.0 ? Acceptance.LOSSLESS : new Acceptance.Tolerant(cascade.rollback());
        }
    }

    /**
     * Speculative cascade (Narasimhan et al., ICLR 2025): drafting is lossless speculation's — k
     * tokens, free drafters first in preference order — and the target scores them in one batch; but
     * each model-drafted position accepts from (1 − r)·q + r·p, where the rule's r is 1 (defer to the
     * target) or 0 (keep the draft's distribution) from both models' distributions at that position.
     * Every emitted token was scored by the target, so streams and logprobs are lossless speculation's.
     */
    final class SpeculativeCascade implements RoundMode {
        private final Acceptance.Deferral rule;
        private int k;

        SpeculativeCascade(CascadeSpec cascade) {
            this.rule = new Acceptance.Deferral(DeferralRule.valueOf(cascade.rule().name()), cascade.alpha());
        }

        @Override
        public SpeculationMode mode() {
            return SpeculationMode.CASCADE;
        }

        @Override
        public void begin(Generation g, int concurrent) {
            k = g.length().next(concurrent, g.draftLimit());
            if (k > 0) g.propose(k, StopRule.NEVER, true);
        }

        @Override
        public boolean draftOn(Generation g, DraftToken t) {
            return g.draft().size() < k;
        }

        @Override
        public Acceptance acceptance() {
            return rule;
        }
    }
}
