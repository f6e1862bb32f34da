package dev.specd.plan;

/** A drafter as written in a pipeline spec: a small model, or prompt lookup (n-gram copying). */
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
}
