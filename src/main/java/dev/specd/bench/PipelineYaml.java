package dev.specd.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.specd.plan.ModelRef;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The advisor's recommendation as a pipeline spec in the format of {@code config/pipelines/*.yaml}
 * ({@link dev.specd.plan.PipelineSpecParser} reads it back): the target, the winning drafter and a
 * static k — the closed form's optimum is a static draft length — or target-only.
 */
final class PipelineYaml {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private PipelineYaml() {
    }

    /**
     * @param id        the pipeline id (the OpenAI model name it will serve)
     * @param context   the target's KV cells
     * @param sequences requests decoded at once
     */
    static String write(String id, ModelRef target, Recommendation r, int context, int sequences) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("id", id);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("model", model(target));
        t.put("context", context);
        t.put("sequences", sequences);
        if (r.targetOnly()) {
            root.put("description", "Target-only: no candidate drafter was predicted to beat it by "
                    + percent(Recommendation.MARGIN) + " (specd advise)");
            root.put("target", t);
        } else {
            Prediction p = r.pick().orElseThrow();
            root.put("description", String.format(Locale.ROOT, "%s drafts k=%d, lossless: predicted %.2fx over "
                    + "target-only (specd advise)", p.candidate().label(), r.k(), r.speedup()));
            root.put("target", t);
            root.put("drafters", List.of(drafter(p.candidate())));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("mode", "lossless");
            s.put("k", r.k());
            s.put("policy", "static");
            root.put("speculation", s);
        }
        try {
            return "# Written by specd advise from measured acceptance and costs (docs/speculation.md).\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> drafter(DraftCandidate c) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (c.lookup()) {
            d.put("type", "lookup");
            d.put("ngram_min", 1);
            d.put("ngram_max", 4);
        } else {
            d.put("type", "model");
            d.put("model", model(c.model().orElseThrow()));
        }
        return d;
    }

    static Map<String, Object> model(ModelRef ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (ref) {
            case ModelRef.File f -> {
                m.put("file", f.file());
                f.url().ifPresent(u -> m.put("url", u));
                f.sha256().ifPresent(s -> m.put("sha256", s));
            }
            case ModelRef.Forged g -> {
                m.put("forge", g.op());
                m.put("source", model(g.source()));
                m.put("params", new TreeMap<>(g.params())); // sorted: the same recipe reads the same
            }
        }
        return m;
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * v);
    }
}
