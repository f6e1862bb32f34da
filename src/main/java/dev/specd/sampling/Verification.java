package dev.specd.sampling;

import java.util.Arrays;
import java.util.Objects;

/**
 * What verifying one round of k drafted tokens produced ({@link RejectionSampler}).
 *
 * <p>The emitted tokens are always the accepted prefix of the draft followed by exactly one token
 * chosen by the target: the residual sample that replaces the first rejected draft, or the bonus
 * token drawn from p_{k+1} when every draft was accepted. So a round emits {@code accepted + 1}
 * tokens, and both models roll back to the last of them.
 *
 * @param accepted      drafted tokens kept, tolerated ones included; they are a prefix of the draft
 * @param emitted       the accepted drafts, then the residual sample or the bonus token
 * @param bonus         every draft was accepted and the last emitted token is the bonus from p_{k+1}
 * @param firstRejected 0-based index of the rejected draft (it equals {@code accepted}, since
 *                      verification stops there); -1 if none was rejected
 * @param tolerated     how many accepted drafts failed the lossless test and were kept only because
 *                      the target's −ln p of them was within the cascade's rollback threshold; 0 for
 *                      lossless verification
 */
public record Verification(int accepted, int[] emitted, boolean bonus, int firstRejected, int tolerated) {

    public Verification {
        if (accepted < 0) {
            throw new IllegalArgumentException("accepted must be >= 0, got " + accepted);
        }
        if (emitted == null || emitted.length != accepted + 1) {
            throw new IllegalArgumentException("a round emits the accepted drafts plus one token: expected "
                    + (accepted + 1) + " tokens, got " + (emitted == null ? "null" : emitted.length));
        }
        if (bonus ? firstRejected != -1 : firstRejected != accepted) {
            throw new IllegalArgumentException("bonus=" + bonus + " is inconsistent with firstRejected="
                    + firstRejected + " after " + accepted + " accepted drafts");
        }
        if (tolerated < 0 || tolerated > accepted) {
            throw new IllegalArgumentException("tolerated must be in [0, accepted=" + accepted + "], got " + tolerated);
        }
        // Arrays are mutable; a record is a value, so it keeps its own copy.
        emitted = emitted.clone();
    }

    /** A copy of the emitted tokens. */
    @Override
    public int[] emitted() {
        return emitted.clone();
    }

    /** Number of emitted tokens: {@code accepted() + 1}. */
    public int emittedCount() {
        return emitted.length;
    }

    /** The {@code i}-th emitted token, without copying the array. */
    public int token(int i) {
        return emitted[i];
    }

    /** The token the target chose to close the round: the residual sample or the bonus token. */
    public int targetToken() {
        return emitted[emitted.length - 1];
    }

    /** Whether a draft was rejected (the last emitted token is then a residual sample). */
    public boolean rejected() {
        return firstRejected >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Verification v && accepted == v.accepted && bonus == v.bonus
                && firstRejected == v.firstRejected && tolerated == v.tolerated && Arrays.equals(emitted, v.emitted);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(accepted, bonus, firstRejected, tolerated) + Arrays.hashCode(emitted);
    }

    @Override
    public String toString() {
        return "Verification[accepted=" + accepted + ", emitted=" + Arrays.toString(emitted) + ", bonus=" + bonus
                + ", firstRejected=" + firstRejected + ", tolerated=" + tolerated + "]";
    }
}
