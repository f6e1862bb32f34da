package dev.specd.forge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Plans a llama model with N(0, σ) weights and unit norms. Its tokenizer is copied from another
 * file, so prompts tokenise the same way as for that model (a random draft or target that is
 * tokenizer-compatible with stories260K, for example).
 */
final class RandomModel {

    private RandomModel() {
    }

    static ModelPlan plan(GgufFile tokenizer, RandomSpec spec, String tokenizerSha256) {
        LinkedHashMap<String, GgufValue> tokenizerKeys = new LinkedHashMap<>();
        tokenizer.metadata().forEach((k, v) -> {
            if (k.startsWith("tokenizer.")) tokenizerKeys.put(k, v);
        });
        if (!tokenizerKeys.containsKey("tokenizer.ggml.tokens")) {
            throw new GgufFormatException(tokenizer.path() + " has no tokenizer.ggml.tokens to copy");
        }
        if (spec.vocab() > 0) VocabExtension.extendTokenizer(tokenizerKeys, spec.vocab());
        int vocab = VocabExtension.size(tokenizerKeys);

        LinkedHashMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(LlamaShape.ARCH));
        m.put("general.name", GgufValue.string("random llama " + spec.embd() + "x" + spec.ff() + "x" + spec.layers()
                + " seed " + spec.seed() + " with the " + Forge.stem(tokenizer.path()) + " tokenizer"
                + (spec.vocab() > 0 ? ", " + vocab + " tokens" : "")));
        Forge.putInt(m, LlamaShape.key("context_length"), spec.contextLength());
        Forge.putInt(m, LlamaShape.key("embedding_length"), spec.embd());
        Forge.putInt(m, LlamaShape.key("feed_forward_length"), spec.ff());
        Forge.putInt(m, LlamaShape.key("block_count"), spec.layers());
        Forge.putInt(m, LlamaShape.key("attention.head_count"), spec.heads());
        Forge.putInt(m, LlamaShape.key("attention.head_count_kv"), spec.kvHeads());
        Forge.putInt(m, LlamaShape.key("attention.key_length"), spec.headDim());
        Forge.putInt(m, LlamaShape.key("attention.value_length"), spec.headDim());
        Forge.putInt(m, LlamaShape.key("rope.dimension_count"), spec.headDim());
        m.put(LlamaShape.key("attention.layer_norm_rms_epsilon"), GgufValue.f32(1e-5f));
        spec.type().llamaFileType().ifPresent(ft -> Forge.putInt(m, "general.file_type", ft));
        m.putAll(tokenizerKeys);
        Forge.putRecipe(m, "random", tokenizer.path(), tokenizerSha256, spec.toParams());

        int d = spec.embd();
        int q = spec.heads() * spec.headDim();
        int kv = spec.kvHeads() * spec.headDim();
        List<OutTensor> t = new ArrayList<>();
        t.add(matrix("token_embd.weight", d, vocab, spec));
        t.add(ones("output_norm.weight", d));
        t.add(matrix("output.weight", d, vocab, spec));
        for (int b = 0; b < spec.layers(); b++) {
            String p = "blk." + b + ".";
            t.add(matrix(p + "attn_q.weight", d, q, spec));
            t.add(matrix(p + "attn_k.weight", d, kv, spec));
            t.add(matrix(p + "attn_v.weight", d, kv, spec));
            t.add(matrix(p + "attn_output.weight", q, d, spec));
            t.add(ones(p + "attn_norm.weight", d));
            t.add(matrix(p + "ffn_gate.weight", d, spec.ff(), spec));
            t.add(matrix(p + "ffn_down.weight", spec.ff(), d, spec));
            t.add(matrix(p + "ffn_up.weight", d, spec.ff(), spec));
            t.add(ones(p + "ffn_norm.weight", d));
        }
        return new ModelPlan(m, t);
    }

    private static OutTensor matrix(String name, int cols, int rows, RandomSpec spec) {
        GgmlType type = spec.type().fitsRow(cols) ? spec.type() : GgmlType.F32;
        long seed = spec.seed();
        return OutTensor.ofFloats(name, List.of((long) cols, (long) rows), type, () -> {
            float[] v = new float[Math.multiplyExact(cols, rows)];
            Gaussian.stream(seed, name).fill(v, 0, v.length, RandomSpec.SIGMA);
            return v;
        });
    }

    private static OutTensor ones(String name, int n) {
        return OutTensor.ofFloats(name, List.of((long) n), GgmlType.F32, () -> {
            float[] v = new float[n];
            Arrays.fill(v, 1f);
            return v;
        });
    }
}
