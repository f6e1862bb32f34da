package dev.specd.plan;

/** A drafter as written in a pipeline spec: a small model, prompt lookup (n-gram copying), or suffix matching. */
public sealed interface DrafterSpec {

    /**
     * A draft model (SLM) with its own KV cache.
     *
     * @param contextLength KV cells of the draft context; 0 = the same as the target's
     */
    record Model(ModelRef model, int contextLength) implements DrafterSpec {
    }

    /**
     * Prompt lookup: the continuation of the longest matching n-gram in prompt + output.
     *
     * @param ngramMin shortest suffix to match
     * @param ngramMax longest suffix to match (tried first)
     */
    record Lookup(int ngramMin, int ngramMax) implements DrafterSpec {
    }

    /**
     * Suffix matching (SuffixDecoding, Oliaro et al.): the continuation of the context's longest
     * matching suffix in a suffix tree over this request's prompt and output and, with
     * {@code global}, over earlier requests of the same preset.
     *
     * @param depth    longest substring the trees index (the match and its continuation together)
     * @param factor   a draft has at most factor × (matched length) tokens: long matches earn long drafts
     * @param minProb  drafting stops once the path's estimated probability falls below this
     * @param global   also match the prompts and outputs of earlier requests
     * @param maxNodes the shared tree's budget; the oldest requests are evicted to stay within it
     */
    record Suffix(int depth, double factor, double minProb, boolean global, int maxNodes) implements DrafterSpec {
    }
}
