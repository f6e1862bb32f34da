package dev.specd.forge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Grows a model's vocabulary to a real-world size (32k, 152k, 256k tokens) so that everything
 * done per token over the vocabulary (copying logits, softmax, truncation, verification) costs what
 * it costs with real models, while the model keeps computing what it did.
 * <p>
 * The extra tokens are unique placeholders, {@code <specd_extra_N>} for token id N, typed normal
 * and scored below every real token, so no text a user types tokenises into them (each is reached
 * only through pieces that are not in the vocabulary). Their embedding and output rows copy the
 * row of the source's unknown token, the "never seen in training" floor of a trained model
 * (stories260K's unknown and byte tokens share one such row), plus Gaussian noise of
 * {@value #NOISE} times the tensor's RMS so that their logits differ, as a real vocabulary's tail
 * does. On stories260K that puts them some 20 to 40 logits under the best token: a long tail of
 * small probabilities that top-p, min-p and verification must get right, without changing what
 * the model writes (measured in docs/forge.md).
 */
final class VocabExtension {

    /** Noise on the extra rows, relative to the tensor's RMS. */
    static final double NOISE = 0.25;
    /** llama.cpp's token type "normal" (llama_token_type LLAMA_TOKEN_TYPE_NORMAL). */
    static final int NORMAL = 1;

    private static final String TOKENS = "tokenizer.ggml.tokens";
    private static final String SCORES = "tokenizer.ggml.scores";
    private static final String TYPES = "tokenizer.ggml.token_type";

    private VocabExtension() {
    }

    /** The text of extra token {@code id}. */
    static String extraToken(int id) {
        return "<specd_extra_" + id + ">";
    }

    /** Tokens in the tokenizer of a model's metadata. */
    static int size(Map<String, GgufValue> metadata) {
        GgufValue tokens = metadata.get(TOKENS);
        if (tokens == null) throw new GgufFormatException("the model has no " + TOKENS);
        return tokens.asArray().items().size();
    }

    /**
     * Grows the per-token tokenizer arrays in {@code m} (tokens, scores, token types) to
     * {@code newSize} entries; nothing changes when the tokenizer already has that many.
     *
     * @throws IllegalArgumentException for a smaller size, or a tokenizer other than SentencePiece
     *                                  ({@code llama}), whose merges a BPE vocabulary would need too
     */
    static void extendTokenizer(SequencedMap<String, GgufValue> m, int newSize) {
        int size = size(m);
        if (newSize < size) {
            throw new IllegalArgumentException("vocab: " + newSize + " tokens is fewer than the source's " + size
                    + "; the forge only adds tokens");
        }
        if (newSize == size) return;
        String model = m.containsKey("tokenizer.ggml.model") ? m.get("tokenizer.ggml.model").asString() : "";
        if (!"llama".equals(model)) {
            throw new IllegalArgumentException("vocab: only SentencePiece ('llama') tokenizers can be extended, this one is '"
                    + model + "'");
        }
        float lowest = 0;
        for (Map.Entry<String, GgufValue> e : m.entrySet()) {
            if (!e.getKey().startsWith("tokenizer.") || e.getValue().type() != GgufValueType.ARRAY) continue;
            GgufValue.GgufArray a = e.getValue().asArray();
            if (a.items().size() != size) continue;
            if (!List.of(TOKENS, SCORES, TYPES).contains(e.getKey())) {
                throw new IllegalArgumentException("vocab: does not know how to extend the per-token array " + e.getKey());
            }
        }
        if (m.containsKey(SCORES)) {
            for (GgufValue v : m.get(SCORES).asArray().items()) lowest = Math.min(lowest, (float) v.asDouble());
        }
        List<GgufValue> tokens = new ArrayList<>(m.get(TOKENS).asArray().items());
        for (int id = size; id < newSize; id++) tokens.add(GgufValue.string(extraToken(id)));
        m.put(TOKENS, GgufValue.array(GgufValueType.STRING, tokens));
        if (m.containsKey(SCORES)) {
            // Below every real token, so SentencePiece never prefers a merge into one.
            List<GgufValue> scores = new ArrayList<>(m.get(SCORES).asArray().items());
            GgufValue score = GgufValue.f32(lowest - 1);
            for (int id = size; id < newSize; id++) scores.add(score);
            m.put(SCORES, GgufValue.array(GgufValueType.FLOAT32, scores));
        }
        if (m.containsKey(TYPES)) {
            GgufValue.GgufArray old = m.get(TYPES).asArray();
            List<GgufValue> types = new ArrayList<>(old.items());
            GgufValue normal = new GgufValue(old.elementType(), (long) NORMAL);
            for (int id = size; id < newSize; id++) types.add(normal);
            m.put(TYPES, GgufValue.array(old.elementType(), types));
        }
        if (m.containsKey(LlamaShape.key("vocab_size"))) Forge.putInt(m, LlamaShape.key("vocab_size"), newSize);
    }

    /** The whole source with its vocabulary, embedding and output rows grown to {@code spec.vocab()}. */
    static ModelPlan plan(GgufFile src, VocabSpec spec, String sourceSha256) {
        LinkedHashMap<String, GgufValue> m = src.metadataCopy();
        m.keySet().removeIf(k -> k.startsWith(Forge.META_PREFIX));
        int size = size(m);
        extendTokenizer(m, spec.vocab());
        String name = src.value("general.name").map(GgufValue::asString).orElse(Forge.stem(src.path()));
        m.put("general.name", GgufValue.string(name + " with " + spec.vocab() + " tokens"));
        Forge.putRecipe(m, "vocab", src.path(), sourceSha256, spec.toParams());
        int floor = src.value("tokenizer.ggml.unknown_token_id").map(GgufValue::asInt)
                .filter(id -> id >= 0 && id < size).orElse(-1);
        List<OutTensor> tensors = new ArrayList<>();
        for (GgufTensorInfo t : src.tensors()) {
            boolean perToken = t.name().equals("token_embd.weight") || t.name().equals("output.weight");
            if (!perToken || spec.vocab() == size) {
                tensors.add(OutTensor.copyOf(src, t));
                continue;
            }
            if (t.rank() != 2 || t.rows() != size) {
                throw new GgufFormatException("vocab: " + t.name() + " has shape " + t.dims() + ", expected one row per token ("
                        + size + ")");
            }
            if (!t.type().decodable()) {
                throw new IllegalArgumentException("vocab: tensor " + t.name() + " is " + t.type()
                        + ", which the forge cannot decode");
            }
            GgmlType type = t.type().encodable() ? t.type() : GgmlType.F32;
            int cols = (int) t.rowLength();
            long seed = spec.seed();
            int rows = spec.vocab();
            tensors.add(OutTensor.ofFloats(t.name(), List.of((long) cols, (long) rows), type,
                    () -> grow(src.floats(t), cols, size, rows, floor, Gaussian.stream(seed, t.name() + "/extra"))));
        }
        return new ModelPlan(m, tensors);
    }

    /** [cols × rows]: the source's rows, then rows = floor row + noise (the mean row when there is no floor). */
    static float[] grow(float[] v, int cols, int size, int rows, int floorRow, Gaussian rng) {
        float[] base = new float[cols];
        if (floorRow >= 0) {
            System.arraycopy(v, floorRow * cols, base, 0, cols);
        } else {
            for (int r = 0; r < size; r++) for (int c = 0; c < cols; c++) base[c] += v[r * cols + c] / size;
        }
        double sigma = NOISE * Expander.rms(v);
        float[] out = java.util.Arrays.copyOf(v, Math.multiplyExact(cols, rows));
        for (int r = size; r < rows; r++) {
            int at = r * cols;
            rng.fill(out, at, at + cols, sigma);
            for (int c = 0; c < cols; c++) out[at + c] += base[c];
        }
        return out;
    }
}
