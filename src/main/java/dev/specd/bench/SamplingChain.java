package dev.specd.bench;

import dev.specd.sampling.SamplingParams;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The sampler chains the benchmarks compare ({@code --sampling}), each run the same way by specd
 * and by the llama.cpp peer ({@link LlamaCppPeer#configure}): greedy decoding, what OpenAI clients
 * send ({@code temperature 0.8, top_p 0.95}), and the same with llama.cpp's default {@code top_k 40}
 * in front. A fixed seed makes every run draw the same tokens.
 */
enum SamplingChain {

    GREEDY("greedy", SamplingParams.greedy()),
    TOPP("topp", SamplingParams.defaults().withTemperature(0.8).withTopP(0.95)),
    TOPK("topk", SamplingParams.defaults().withTopK(40).withTemperature(0.8).withTopP(0.95));

    static final long SEED = 1;

    private final String id;
    private final SamplingParams params;

    SamplingChain(String id, SamplingParams params) {
        this.id = id;
        this.params = params.withSeed(SEED);
    }

    String id() {
        return id;
    }

    SamplingParams params() {
        return params;
    }

    static SamplingChain named(String id) {
        return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown sampling '" + id + "'; expected one of "
                        + Arrays.stream(values()).map(SamplingChain::id).collect(Collectors.joining(", "))));
    }
}
