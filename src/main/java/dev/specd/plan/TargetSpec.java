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
 */
public record TargetSpec(ModelRef model, int contextLength, int sequences, int threads, int gpuLayers) {

    public TargetSpec withThreads(int n) {
        return new TargetSpec(model, contextLength, sequences, n, gpuLayers);
    }
}
