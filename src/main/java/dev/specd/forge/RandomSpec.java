package dev.specd.forge;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A llama model with N(0, 0.02) weights (see {@link Forge#random}).
 *
 * @param tokenizerSource a GGUF file whose tokenizer (every {@code tokenizer.*} key) is copied, which
 *                        also fixes the vocabulary size; stories260K is the usual choice
 * @param contextLength   {@code llama.context_length} to declare
 * @param vocab           tokens in the result: 0 for the tokenizer's own, or more to extend it with
 *                        placeholder tokens ({@link Forge#vocab})
 */
public record RandomSpec(int embd, int ff, int layers, int heads, int kvHeads, Path tokenizerSource,
                         int contextLength, long seed, GgmlType type, int vocab) {

    public static final float SIGMA = 0.02f;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_CONTEXT = 2048;

    public RandomSpec {
        if (embd <= 0 || ff <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("random: every size must be > 0");
        }
        if (embd % heads != 0) throw new IllegalArgumentException("random: embd " + embd + " is not a multiple of heads " + heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("random: heads " + heads + " is not a multiple of kv heads " + kvHeads);
        }
        if (!type.encodable()) throw new IllegalArgumentException("random: cannot write " + type + " weights");
        if (vocab < 0) throw new IllegalArgumentException("random: vocab must be >= 0 (0 keeps the tokenizer's), got " + vocab);
    }

    /** With the tokenizer's own vocabulary. */
    public RandomSpec(int embd, int ff, int layers, int heads, int kvHeads, Path tokenizerSource, int contextLength,
                      long seed, GgmlType type) {
        this(embd, ff, layers, heads, kvHeads, tokenizerSource, contextLength, seed, type, 0);
    }

    /**
     * Parses recipe parameters: embd, ff, layers, heads (required), kv_heads (heads), context
     * (2048), seed (42), type (f16), vocab (0: the tokenizer's).
     */
    public static RandomSpec fromParams(Path tokenizerSource, Map<String, String> params) {
        ForgeParams p = new ForgeParams("random", params,
                Set.of("embd", "ff", "layers", "heads", "kv_heads", "context", "seed", "type", "vocab"));
        int heads = p.integer("heads");
        return new RandomSpec(p.integer("embd"), p.integer("ff"), p.integer("layers"), heads, p.integer("kv_heads", heads),
                tokenizerSource, p.integer("context", DEFAULT_CONTEXT), p.longValue("seed", DEFAULT_SEED),
                p.type("type", GgmlType.F16), p.integer("vocab", 0));
    }

    public int headDim() {
        return embd / heads;
    }

    /** The shape and seed as recipe parameters, in a fixed order. */
    public Map<String, String> toParams() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("embd", Integer.toString(embd));
        m.put("ff", Integer.toString(ff));
        m.put("layers", Integer.toString(layers));
        m.put("heads", Integer.toString(heads));
        m.put("kv_heads", Integer.toString(kvHeads));
        m.put("context", Integer.toString(contextLength));
        m.put("seed", Long.toString(seed));
        m.put("type", type.displayName());
        if (vocab > 0) m.put("vocab", Integer.toString(vocab));
        return m;
    }
}
