package dev.specd.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a pipeline spec from YAML, failing with the file, field and reason on any mistake. The
 * target and request defaults are read here, drafters and speculation by {@link DrafterParser}.
 */
public final class PipelineSpecParser {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private PipelineSpecParser() {
    }

    public static PipelineSpec parse(String yaml, String file) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new SpecException(file, "", "not valid YAML: " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode()) throw new SpecException(file, "", "is empty");
        YamlNode root = new YamlNode(tree, file, "");
        root.allowOnly(Set.of("id", "description", "target", "drafters", "speculation", "defaults"));
        String id = root.string("id");
        if (!ID.matcher(id).matches()) {
            throw root.error("id", "must be 1-128 letters, digits or . _ : - (it is the OpenAI model name), got " + id);
        }
        String description = root.optionalString("description").orElse("");
        TargetSpec target = target(root.child("target"));
        List<DrafterSpec> drafters = DrafterParser.drafters(root);
        SpeculationSpec speculation = DrafterParser.speculation(root, drafters);
        RequestDefaults defaults = root.optionalChild("defaults").map(PipelineSpecParser::defaults)
                .orElse(RequestDefaults.OPENAI);
        return new PipelineSpec(id, description, target, drafters, speculation, defaults, file);
    }

    private static TargetSpec target(YamlNode t) {
        t.allowOnly(Set.of("model", "context", "sequences", "threads", "gpu_layers", "embeddings"));
        ModelRef model = model(t.child("model"));
        int context = t.integer("context", 2048, 16, 1 << 20);
        int sequences = t.integer("sequences", 4, 1, 256);
        int threads = t.integer("threads", 0, 0, 1024);
        int gpuLayers = t.integer("gpu_layers", 0, 0, 10_000);
        boolean embeddings = t.bool("embeddings", false);
        return new TargetSpec(model, context, sequences, threads, gpuLayers, embeddings);
    }

    /** The forge's recipe operations (forge.Forge.OPERATIONS; plan may not depend on the tool). */
    static final java.util.List<String> FORGE_OPERATIONS = java.util.List.of("expand", "truncate", "quantize", "vocab",
            "random", "template");

    static ModelRef model(YamlNode m) {
        if (m.has("forge")) {
            m.allowOnly(Set.of("forge", "source", "params"));
            String op = m.string("forge");
            if (!FORGE_OPERATIONS.contains(op)) {
                throw m.error("forge", "must be one of " + FORGE_OPERATIONS + ", got " + op);
            }
            ModelRef source = model(m.child("source"));
            Map<String, String> params = new LinkedHashMap<>();
            m.optionalChild("params").ifPresent(p -> p.scalars().forEach(kv -> params.put(kv[0], kv[1])));
            return new ModelRef.Forged(op, source, Map.copyOf(params));
        }
        m.allowOnly(Set.of("file", "url", "sha256"));
        String file = m.string("file");
        Optional<String> url = m.optionalString("url");
        url.ifPresent(u -> {
            if (!u.startsWith("https://") && !u.startsWith("http://")) throw m.error("url", "must be an http(s) URL");
        });
        Optional<String> sha = m.optionalString("sha256").map(String::toLowerCase);
        sha.ifPresent(s -> {
            if (!SHA256.matcher(s).matches()) throw m.error("sha256", "must be 64 hexadecimal digits");
        });
        return new ModelRef.File(file, url, sha);
    }

    private static RequestDefaults defaults(YamlNode d) {
        d.allowOnly(Set.of("max_tokens", "temperature", "top_p"));
        return new RequestDefaults(
                d.integer("max_tokens", RequestDefaults.OPENAI.maxTokens(), 1, 1 << 20),
                d.number("temperature", RequestDefaults.OPENAI.temperature(), 0, 2),
                d.number("top_p", RequestDefaults.OPENAI.topP(), 0, 1));
    }
}
