package dev.specd.runtime;

import dev.specd.constrain.ConstraintState;
import dev.specd.constrain.TokenConstraint;
import dev.specd.draft.Draft;

/**
 * A generation's place in its output constraint (a grammar or a JSON schema): the state after the
 * committed tokens, and the state along the round's draft. Without a constraint every method is the
 * identity. Drafts keep to the constraint as the target will: a model drafter samples from masked
 * rows, a free drafter's proposal is cut before the first token the constraint refuses, and the
 * target's rows are masked along the draft before verification.
 */
final class ConstraintTrack {

    private ConstraintState committed;
    private ConstraintState drafting;

    ConstraintTrack(TokenConstraint constraint) {
        this.committed = constraint == null ? null : constraint.start();
    }

    /** A new round: the draft starts from the committed state. */
    void beginRound() {
        drafting = committed;
    }

    /** The state at the next draft position, null for none. */
    ConstraintState atDraft() {
        return drafting;
    }

    void drafted(int token) {
        if (drafting != null) drafting = drafting.advance(token);
    }

    /** A free drafter's proposal up to (not including) its first token the constraint refuses. */
    Draft keep(Draft d) {
        if (committed == null) return d;
        int n = 0;
        for (ConstraintState s = committed; n < d.size() && s.allows(d.tokens()[n]); n++) s = s.advance(d.tokens()[n]);
        return d.prefix(n);
    }

    /**
     * The target's rows masked by the constraint's state at each position along the draft, so that
     * verification samples from the constrained distribution. Rows after a draft token the
     * constraint refuses are never reached (that token is rejected) and stay as they are; the raw
     * rows stay the caller's, for the log-probabilities (the model's own).
     */
    float[][] mask(float[][] rows, int[] draft) {
        if (committed == null) return rows;
        float[][] scored = rows.clone();
        ConstraintState state = committed;
        for (int i = 0; i < rows.length && state != null; i++) {
            scored[i] = state.apply(rows[i]);
            if (i < draft.length) state = state.allows(draft[i]) ? state.advance(draft[i]) : null;
        }
        return scored;
    }

    /** Commits emitted tokens. */
    void commit(int[] tokens) {
        if (committed == null) return;
        for (int t : tokens) {
            if (!committed.allows(t)) return; // an end token past the grammar's end: nothing follows
            committed = committed.advance(t);
        }
    }
}
