package dev.specd.runtime;

import dev.specd.draft.DraftToken;
import dev.specd.draft.StopRule;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;

/**
 * What a speculation mode decides in each round of a {@link Generation}: what to draft, when a
 * draft model's run ends, and how tolerant verification is. The round's skeleton (draft steps,
 * the verify step, rejection sampling, rollback, emission) is the generation's; only these
 * decisions differ between modes. One instance per generation; engine thread only.
 */
sealed interface RoundMode {

    static RoundMode of(SpeculationSpec s) {
        return switch (s.mode()) {
            case OFF -> new TargetOnly();
            case LOSSLESS -> new Lossless();
            case CASCADE -> new Cascade(s.cascade());
        };
    }

    SpeculationMode mode();

    /** Sets up the round's draft through {@link Generation#propose}, or leaves it empty. */
    void begin(Generation g, int concurrent);

    /**
     * A draft model proposed {@code t} (already added to the draft): true to draft another token.
     * May end the generation (a cascade that finished its answer unverified).
     */
    boolean draftOn(Generation g, DraftToken t);

    /** BiLD's rollback threshold for verification; 0 is the lossless rule. */
    default double rollback() {
        return 0.0;
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
        public double rollback() {
            return cascade.rollback();
        }
    }
}
