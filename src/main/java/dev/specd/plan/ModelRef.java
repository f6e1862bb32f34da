package dev.specd.plan;

import java.util.Map;
import java.util.Optional;

/**
 * Where a model comes from. A closed family: a file (found in the model directories or downloaded
 * from its URL), or a model forged from another one by the project's forge.
 */
public sealed interface ModelRef {

    /** A short label for logs and /v1/pipelines. */
    String describe();

    /**
     * A key for the weights a reference names (the file name — one name resolves to one file — or a
     * forged model's recipe): an engine keeps one context per draft model key, whichever presets
     * name it.
     */
    default String key() {
        return switch (this) {
            case File f -> f.file();
            case Forged g -> g.op() + new java.util.TreeMap<>(g.params()) + "(" + g.source().key() + ")";
        };
    }

    /**
     * Whether two references certainly name the same weights: equal checksums when both files have
     * one (the name may differ), else equal file names; forged models by equal recipes. Used to
     * recognise a drafter that is the target itself, which can never make generation faster.
     */
    static boolean sameModel(ModelRef a, ModelRef b) {
        return switch (a) {
            case File fa when b instanceof File fb -> fa.sha256().isPresent() && fb.sha256().isPresent()
                    ? fa.sha256().equals(fb.sha256())
                    : fa.file().equals(fb.file());
            case Forged ga when b instanceof Forged gb -> ga.op().equals(gb.op()) && ga.params().equals(gb.params())
                    && sameModel(ga.source(), gb.source());
            default -> false;
        };
    }

    /**
     * @param file   file name looked up in the model directories (or an absolute path)
     * @param url    where to download it when it is not found locally
     * @param sha256 expected checksum; checked for local and downloaded files alike
     */
    record File(String file, Optional<String> url, Optional<String> sha256) implements ModelRef {
        @Override
        public String describe() {
            return file;
        }
    }

    /**
     * A model derived by a forge operation ({@code expand}, {@code truncate}, {@code quantize}) from
     * a source model; the result is cached under a name derived from the recipe.
     */
    record Forged(String op, ModelRef source, Map<String, String> params) implements ModelRef {
        @Override
        public String describe() {
            return op + new java.util.TreeMap<>(params) + " of " + source.describe();
        }
    }
}
