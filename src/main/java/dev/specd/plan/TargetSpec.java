package dev.specd.plan;

/**
 * The target (verifier) model of a pipeline and the resources its engine gets.
 *
 * @param contextLength KV cells shared by all concurrent sequences
 * @param sequences     concurrent sequences (requests) the engine keeps
 * @param threads       decode threads; 0 = one per available core
 * @param gpuLayers     layers to offload (needs a GPU build of llama.cpp)
 * @param embeddings    whether the pipeline also serves /v1/embeddings from its target (YAML {@code embeddings: true})
 */
public record TargetSpec(ModelRef model, int contextLength, int sequences, int threads, int gpuLayers,
                         boolean embeddings) {
}
