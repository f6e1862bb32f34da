package dev.specd.engine;

/**
 * How to load a model file.
 *
 * @param gpuLayers layers to offload to a GPU (needs a user-supplied GPU build of llama.cpp)
 * @param useMmap   map the file instead of reading it into memory
 */
public record LoadOptions(int gpuLayers, boolean useMmap) {
    public static final LoadOptions DEFAULT = new LoadOptions(0, true);
}
