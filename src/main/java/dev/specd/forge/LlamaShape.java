package dev.specd.forge;

/**
 * The hyper-parameters of a {@code llama}-architecture GGUF model that the forge needs.
 *
 * @param headDim  per-head width of keys and queries ({@code llama.attention.key_length}, or
 *                 embd/heads when absent, as llama.cpp assumes)
 * @param ropeDims {@code llama.rope.dimension_count} (llama.cpp requires it to equal headDim)
 */
public record LlamaShape(int embd, int ff, int layers, int heads, int kvHeads, int headDim, int valueDim,
                         int vocab, int ropeDims, float rmsEps) {

    static final String ARCH = "llama";

    public static LlamaShape of(GgufFile file) {
        String arch = file.require("general.architecture").asString();
        if (!ARCH.equals(arch)) {
            throw new GgufFormatException(file.path() + " has architecture '" + arch + "'; the forge handles only llama");
        }
        int embd = file.require(key("embedding_length")).asInt();
        int heads = file.require(key("attention.head_count")).asInt();
        int kvHeads = file.value(key("attention.head_count_kv")).map(GgufValue::asInt).orElse(heads);
        int headDim = file.value(key("attention.key_length")).map(GgufValue::asInt).orElse(embd / heads);
        int valueDim = file.value(key("attention.value_length")).map(GgufValue::asInt).orElse(embd / heads);
        int vocab = file.value("tokenizer.ggml.tokens").map(v -> v.asArray().items().size())
                .orElseGet(() -> Math.toIntExact(file.requireTensor("token_embd.weight").dims().get(1)));
        return new LlamaShape(
                embd,
                file.require(key("feed_forward_length")).asInt(),
                file.require(key("block_count")).asInt(),
                heads,
                kvHeads,
                headDim,
                valueDim,
                vocab,
                file.value(key("rope.dimension_count")).map(GgufValue::asInt).orElse(headDim),
                (float) file.require(key("attention.layer_norm_rms_epsilon")).asDouble());
    }

    static String key(String suffix) {
        return ARCH + "." + suffix;
    }
}
