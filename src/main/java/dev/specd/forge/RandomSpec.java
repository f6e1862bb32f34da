package dev.specd.forge;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A llama model with N(0, 0.02) weights (see {@link Forge#random}).
 *
 * @param tokenizerSource a GGUF file whose tokenizer (every {@code tokenizer.*} key) is copied, which
 *                        also fixes the vocabulary size; stories260K is the usual choice
 * @param contextLength   {@code llama.context_length} to declare
 */
public record RandomSpec(int embd, int ff, int layers, int heads, int kvHeads, Path tokenizerSource,
                         int contextLength, long seed, GgmlType type) {

    public static final float SIGMA = 0.02f;

    public RandomSpec {
        if (embd <= 0 || ff <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("random: every size must be > 0");
        }
        if (embd % heads != 0) throw new IllegalArgumentException("random: embd " + embd + " is not a multiple of heads " + heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("random: heads " + heads + " is not a multiple of kv heads " + kvHeads);
        }
        if (!type.encodable()) throw new IllegalArgumentException("random: cannot write " + type + " weights");
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
        return m;
    }
}
