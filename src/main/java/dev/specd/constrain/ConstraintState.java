package dev.specd.constrain;

/**
 * Where one generation stands in its {@link TokenConstraint}: immutable, so a speculative round
 * keeps the state of the last emitted token and derives the states along its draft from it; a
 * rejected draft token rolls back by simply dropping the states derived after it.
 * <p>
 * The constraint never leaves a generation without a next token: short of a complete sentence some
 * text token is always allowed, and at a complete sentence the end-of-generation tokens are (then
 * only they, when the grammar allows nothing more).
 */
public final class ConstraintState {

    private final TokenConstraint constraint;
    /** Null once an end-of-generation token was accepted. */
    private final GrammarState grammar;

    ConstraintState(TokenConstraint constraint, GrammarState grammar) {
        this.constraint = constraint;
        this.grammar = grammar;
    }

    /** Whether the text so far is complete (ending the generation here is allowed). */
    public boolean isComplete() {
        return grammar == null || grammar.isComplete();
    }

    /** Whether {@code token} may come next; cheaper than a {@link #mask()} for one token. */
    public boolean allows(int token) {
        if (token < 0 || token >= constraint.tokens().size()) return false;
        if (constraint.tokens().isEnd(token)) return isComplete();
        if (grammar == null) return false;
        byte[] piece = constraint.tokens().piece(token);
        return piece.length > 0 && grammar.advance(piece) != null;
    }

    /** The state after {@code token}; fails for a token the constraint does not allow. */
    public ConstraintState advance(int token) {
        if (constraint.tokens().isEnd(token) && isComplete()) return new ConstraintState(constraint, null);
        GrammarState next = allows(token) ? grammar.advance(constraint.tokens().piece(token)) : null;
        if (next == null) {
            throw new IllegalArgumentException("token " + token + " is not allowed by the constraint "
                    + constraint.description());
        }
        return new ConstraintState(constraint, next);
    }

    /** The allowed next tokens as a bit set over the vocabulary; shared, do not modify. */
    long[] mask() {
        if (grammar == null) return endOnly();
        return constraint.mask(grammar);
    }

    private long[] endOnly() {
        long[] mask = new long[(constraint.tokens().size() + 63) >>> 6];
        for (int t : constraint.tokens().endTokensShared()) mask[t >>> 6] |= 1L << (t & 63);
        return mask;
    }

    /** How many tokens may come next. */
    public int allowedCount() {
        int n = 0;
        for (long w : mask()) n += Long.bitCount(w);
        return n;
    }

    /**
     * A copy of {@code logits} with every token the constraint refuses at −∞, so that every
     * sampling step after it (bias, penalties, temperature, filters) works on the constrained
     * distribution. Rows longer than the vocabulary (padding) are masked past its end too.
     */
    public float[] apply(float[] logits) {
        long[] mask = mask();
        float[] out = new float[logits.length];
        java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
        int n = Math.min(out.length, constraint.tokens().size());
        // Allowed tokens are usually few: copy them bit by bit over a row filled with -inf.
        for (int w = 0; w < mask.length; w++) {
            long bits = mask[w];
            while (bits != 0) {
                int t = (w << 6) + Long.numberOfTrailingZeros(bits);
                if (t >= n) break;
                out[t] = logits[t];
                bits &= bits - 1;
            }
        }
        return out;
    }
}
