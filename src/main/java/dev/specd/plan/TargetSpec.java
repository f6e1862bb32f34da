package dev.specd.plan;

/**
 * The target (verifier) model of a pipeline and the resources its engine gets: the engine's spec.
 * Every preset naming the same target shares one engine, so they must agree on all of it
 * ({@link PipelineCompiler#compileAll}).
 *
 * @param contextLength KV cells shared by all concurrent sequences
 * @param sequences     concurrent sequences (requests) the engine keeps
 * @param threads       decode threads; 0 = one per available core
 * @param gpuLayers     layers to offload (needs a GPU build of llama.cpp)
 * @param embeddings    whether the engine also serves /v1/embeddings from its target (YAML {@code embeddings: true})
 */
public record TargetSpec(ModelRef model, int contextLength, int sequences, int threads, int gpuLayers,
                         boolean embeddings) {

    /** An engine without embeddings. */
    public TargetSpec(ModelRef model, int contextLength, int sequences, int threads, int gpuLayers) {
        this(model, contextLength, sequences, threads, gpuLayers, false);
    }

    public TargetSpec withThreads(int n) {
        return new TargetSpec(model, contextLength, sequences, n, gpuLayers, embeddings);
    }
}
