package dev.specd.forge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A function-preserving expansion of a llama model (see {@link Forge#expand}).
 *
 * @param embd    new embedding width d′ (≥ the source's)
 * @param ff      new feed-forward width (≥ the source's)
 * @param layers  new block count (≥ the source's)
 * @param epsilon 0 keeps the source's function; ε > 0 puts ε·σ·N(0,1) into the weights that write
 *                into the residual stream and would otherwise be zero (useful range 0.005–0.08)
 * @param seed    seeds every random weight; same spec and source ⇒ same bytes
 * @param type    type of the 2-D weight matrices (norms stay F32; a matrix whose rows do not fill
 *                the type's blocks stays F32)
 */
public record ExpandSpec(int embd, int ff, int layers, double epsilon, long seed, GgmlType type) {

    public static final long DEFAULT_SEED = 42;
    /** F16 halves file size and decode time of big targets; pass F32 for tight logit comparisons. */
    public static final GgmlType DEFAULT_TYPE = GgmlType.F16;

    public ExpandSpec {
        if (embd <= 0 || ff <= 0 || layers <= 0) {
            throw new IllegalArgumentException("expand: embd, ff and layers must be > 0, got " + embd + "/" + ff + "/" + layers);
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("expand: epsilon must be a finite number >= 0, got " + epsilon);
        }
        if (!type.encodable()) throw new IllegalArgumentException("expand: cannot write " + type + " weights");
    }

    /** Parses recipe parameters: embd, ff, layers (required), epsilon (0), seed (42), type (f16). */
    public static ExpandSpec fromParams(Map<String, String> params) {
        ForgeParams p = new ForgeParams("expand", params, Set.of("embd", "ff", "layers", "epsilon", "seed", "type"));
        return new ExpandSpec(p.integer("embd"), p.integer("ff"), p.integer("layers"), p.number("epsilon", 0),
                p.longValue("seed", DEFAULT_SEED), p.type("type", DEFAULT_TYPE));
    }

    /** The parameters in a fixed order, as {@link #fromParams} reads them. */
    public Map<String, String> toParams() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("embd", Integer.toString(embd));
        m.put("ff", Integer.toString(ff));
        m.put("layers", Integer.toString(layers));
        m.put("epsilon", Double.toString(epsilon));
        m.put("seed", Long.toString(seed));
        m.put("type", type.displayName());
        return m;
    }
}
