package dev.specd.forge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A vocabulary extension (see {@link Forge#vocab}): the source's tokenizer grown to {@code vocab}
 * tokens.
 *
 * @param vocab tokens in the result, at least the source's own
 * @param seed  seeds the extra tokens' embedding and output rows; same spec and source ⇒ same bytes
 */
public record VocabSpec(int vocab, long seed) {

    public static final long DEFAULT_SEED = 42;

    public VocabSpec {
        if (vocab <= 0) throw new IllegalArgumentException("vocab: the vocabulary size must be > 0, got " + vocab);
    }

    /** Parses recipe parameters: vocab (required), seed (42). */
    public static VocabSpec fromParams(Map<String, String> params) {
        ForgeParams p = new ForgeParams("vocab", params, Set.of("vocab", "seed"));
        return new VocabSpec(p.integer("vocab"), p.longValue("seed", DEFAULT_SEED));
    }

    /** The parameters in a fixed order, as {@link #fromParams} reads them. */
    public Map<String, String> toParams() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vocab", Integer.toString(vocab));
        m.put("seed", Long.toString(seed));
        return m;
    }
}
