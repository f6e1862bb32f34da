package dev.specd.constrain;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A grammar lifted to a model's tokens: which tokens may come next in each grammar state. Shared
 * by every generation that uses the same constraint (the choices of one request, or requests with
 * the same schema), so the masks it computes are cached by state: a schema's states recur (every
 * string body, every object key), and after the first few tokens most masks are cache hits.
 * Thread-safe.
 */
public final class TokenConstraint {

    /** Cached masks; at 32k tokens one is 4 KiB, so the cap bounds the cache at about 16 MiB. */
    private static final int MAX_CACHED_MASKS = 4096;

    private final Grammar grammar;
    private final TokenSpace tokens;
    private final String description;
    private final Map<GrammarState, long[]> masks = new ConcurrentHashMap<>();

    /** @param description what the constraint is, for logs and errors ({@code json_schema 'person'}) */
    public TokenConstraint(Grammar grammar, TokenSpace tokens, String description) {
        this.grammar = grammar;
        this.tokens = tokens;
        this.description = description;
    }

    public String description() {
        return description;
    }

    public TokenSpace tokens() {
        return tokens;
    }

    /** The state before the first generated token. */
    public ConstraintState start() {
        return new ConstraintState(this, grammar.start());
    }

    /** The allowed tokens after {@code state}, as bits in 64-bit words (token t is bit t % 64 of word t / 64). */
    long[] mask(GrammarState state) {
        long[] cached = masks.get(state);
        if (cached != null) return cached;
        long[] mask = new long[(tokens.size() + 63) >>> 6];
        if (state.canContinue()) tokens.collect(state, mask);
        if (state.isComplete()) {
            for (int t : tokens.endTokensShared()) mask[t >>> 6] |= 1L << (t & 63);
        }
        if (isEmpty(mask)) {
            // Every grammar state short of the end can be continued by single bytes, so only a
            // vocabulary missing some byte's token can get here.
            throw new IllegalStateException("the constraint " + description
                    + " allows no token of this vocabulary at some point (it lacks a token for a byte the grammar needs)");
        }
        if (masks.size() >= MAX_CACHED_MASKS) masks.clear();
        masks.put(state, mask);
        return mask;
    }

    int cachedMasks() {
        return masks.size();
    }

    private static boolean isEmpty(long[] mask) {
        for (long w : mask) if (w != 0) return false;
        return true;
    }
}
