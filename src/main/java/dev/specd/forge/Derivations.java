package dev.specd.forge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plans for the operations that reuse a source's tensors: truncation and (re)quantisation. */
final class Derivations {

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\..+");

    private Derivations() {
    }

    /**
     * The first {@code layers} blocks plus every tensor outside the blocks, copied byte for byte.
     * Works for any architecture that numbers its blocks {@code blk.N}, not only llama.
     */
    static ModelPlan truncate(GgufFile src, int layers, String sourceSha256) {
        String arch = src.require("general.architecture").asString();
        String countKey = arch + ".block_count";
        int blocks = src.require(countKey).asInt();
        if (layers < 1 || layers > blocks) {
            throw new IllegalArgumentException("truncate: layers must be between 1 and " + blocks + ", got " + layers);
        }
        LinkedHashMap<String, GgufValue> m = src.metadataCopy();
        m.keySet().removeIf(k -> k.startsWith(Forge.META_PREFIX));
        m.put("general.name", GgufValue.string(Forge.stem(src.path()) + " first " + layers + " of " + blocks + " blocks"));
        Forge.putInt(m, countKey, layers);
        Forge.putRecipe(m, "truncate", src.path(), sourceSha256, Map.of("layers", Integer.toString(layers)));
        List<OutTensor> tensors = new ArrayList<>();
        for (GgufTensorInfo t : src.tensors()) {
            Matcher bm = BLOCK.matcher(t.name());
            if (!bm.matches() || Integer.parseInt(bm.group(1)) < layers) tensors.add(OutTensor.copyOf(src, t));
        }
        return new ModelPlan(m, tensors);
    }

    /**
     * Every matrix whose rows fill {@code type}'s blocks is converted to {@code type}; the others
     * and all 1-D tensors (norms, which llama.cpp wants in F32) are copied unchanged.
     */
    static ModelPlan quantize(GgufFile src, GgmlType type, String sourceSha256) {
        if (!type.encodable()) throw new IllegalArgumentException("quantize: cannot write " + type + " tensors");
        LinkedHashMap<String, GgufValue> m = src.metadataCopy();
        m.keySet().removeIf(k -> k.startsWith(Forge.META_PREFIX));
        String name = src.value("general.name").map(GgufValue::asString).orElse(Forge.stem(src.path()));
        m.put("general.name", GgufValue.string(name + " " + type.displayName()));
        type.llamaFileType().ifPresent(ft -> Forge.putInt(m, "general.file_type", ft));
        Forge.putRecipe(m, "quantize", src.path(), sourceSha256, Map.of("type", type.displayName()));
        List<OutTensor> tensors = new ArrayList<>();
        for (GgufTensorInfo t : src.tensors()) {
            boolean convert = t.rank() >= 2 && t.type() != type && type.fitsRow(t.rowLength());
            if (!convert) {
                tensors.add(OutTensor.copyOf(src, t));
            } else if (!t.type().decodable()) {
                throw new IllegalArgumentException("quantize: tensor " + t.name() + " is " + t.type()
                        + ", which the forge cannot decode; convert from an F32/F16/Q8_0/Q4_0 source");
            } else {
                tensors.add(OutTensor.ofFloats(t.name(), t.dims(), type, () -> src.floats(t)));
            }
        }
        return new ModelPlan(m, tensors);
    }

    /**
     * The source with {@code template} as its {@code tokenizer.chat_template} (test models that
     * carry a real model family's chat template); tensors are copied byte for byte.
     */
    static ModelPlan withChatTemplate(GgufFile src, String template, String templateName, String sourceSha256) {
        LinkedHashMap<String, GgufValue> m = src.metadataCopy();
        m.keySet().removeIf(k -> k.startsWith(Forge.META_PREFIX));
        m.put("tokenizer.chat_template", GgufValue.string(template));
        Forge.putRecipe(m, "template", src.path(), sourceSha256, Map.of("template", templateName,
                "template_sha256", Forge.sha256(template)));
        List<OutTensor> tensors = new ArrayList<>();
        for (GgufTensorInfo t : src.tensors()) tensors.add(OutTensor.copyOf(src, t));
        return new ModelPlan(m, tensors);
    }
}
