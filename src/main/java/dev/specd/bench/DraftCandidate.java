package dev.specd.bench;

import dev.specd.plan.ModelRef;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A drafter the advisor weighs: a draft model, or prompt lookup (n-grams of the text so far, which
 * cost nothing to draft).
 *
 * @param label as the user wrote it, for tables
 * @param model the draft model; empty for prompt lookup
 */
record DraftCandidate(String label, Optional<ModelRef> model) {

    static final String LOOKUP = "lookup";

    boolean lookup() {
        return model.isEmpty();
    }

    /** {@code lookup}, a GGUF path, or a model name found as the server finds one (models dir, cache). */
    static DraftCandidate parse(String arg) {
        return arg.equals(LOOKUP) ? new DraftCandidate(LOOKUP, Optional.empty())
                : new DraftCandidate(arg, Optional.of(modelRef(arg)));
    }

    /**
     * An existing file by its absolute path (so the written pipeline finds it from any directory);
     * otherwise a name for the resolver's search.
     */
    static ModelRef modelRef(String arg) {
        Path p = Path.of(arg);
        String file = Files.isRegularFile(p) ? p.toAbsolutePath().normalize().toString() : arg;
        return new ModelRef.File(file, Optional.empty(), Optional.empty());
    }
}
