package dev.specd.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code drafters} list and the {@code speculation} section of a pipeline spec. Only
 * the syntax and the ranges of single values are checked here; whether drafters and mode fit
 * together is the compiler's business, since it depends on what its passes drop.
 */
final class DrafterParser {

    /** Longest n-gram prompt lookup matches: longer suffixes almost never recur verbatim. */
    static final int MAX_NGRAM = 32;
    static final int MAX_UNVERIFIED = 1024;
    /** Suffix trees index substrings up to this long by default: SuffixDecoding's order of magnitude. */
    static final int SUFFIX_DEPTH = 32;
    /** The shared suffix tree's default budget: about 12 MB at ~48 bytes a node. */
    static final int SUFFIX_NODES = 1 << 18;

    private DrafterParser() {
    }

    static List<DrafterSpec> drafters(YamlNode root) {
        List<DrafterSpec> out = new ArrayList<>();
        for (YamlNode d : root.mappings("drafters")) out.add(drafter(d));
        return List.copyOf(out);
    }

    private static DrafterSpec drafter(YamlNode d) {
        String type = d.string("type");
        return switch (type) {
            case "model" -> model(d);
            case "lookup" -> lookup(d);
            case "suffix" -> suffix(d);
            default -> throw d.error("type", "must be model, lookup or suffix, got " + type);
        };
    }

    private static DrafterSpec.Model model(YamlNode d) {
        d.allowOnly(Set.of("type", "model", "context"));
        ModelRef model = PipelineSpecParser.model(d.child("model"));
        int context = d.integer("context", 0, 0, 1 << 20);
        // The target's minimum: a smaller draft context could not even hold a short prompt.
        if (context > 0 && context < 16) {
            throw d.error("context", "must be 0 (the target's) or at least 16, got " + context);
        }
        return new DrafterSpec.Model(model, context);
    }

    private static DrafterSpec.Lookup lookup(YamlNode d) {
        d.allowOnly(Set.of("type", "ngram_min", "ngram_max"));
        int min = d.integer("ngram_min", 1, 1, MAX_NGRAM);
        int max = d.integer("ngram_max", 4, 1, MAX_NGRAM);
        if (max < min) {
            throw d.error("ngram_max", "must be >= ngram_min (" + min + "), got " + max
                    + (d.has("ngram_max") ? "" : " (the default)"));
        }
        return new DrafterSpec.Lookup(min, max);
    }

    private static DrafterSpec.Suffix suffix(YamlNode d) {
        d.allowOnly(Set.of("type", "depth", "factor", "min_prob", "global", "max_nodes"));
        int depth = d.integer("depth", SUFFIX_DEPTH, 4, 256);
        double factor = d.number("factor", 1.0, 0.0, 64.0);
        if (factor <= 0) throw d.error("factor", "must be > 0, got " + factor);
        double minProb = d.number("min_prob", 0.1, 0.0, 1.0);
        boolean global = d.flag("global", true);
        int maxNodes = d.integer("max_nodes", SUFFIX_NODES, 1024, 1 << 24);
        if (!global && d.has("max_nodes")) {
            throw d.error("max_nodes", "bounds the tree over earlier requests, which global: false turns off");
        }
        return new DrafterSpec.Suffix(depth, factor, minProb, global, maxNodes);
    }

    /**
     * @param drafters decide the default mode: speculating is the point of writing a drafter, and
     *                 without one there is nothing to speculate with
     */
    static SpeculationSpec speculation(YamlNode root, List<DrafterSpec> drafters) {
        SpeculationMode fallback = drafters.isEmpty() ? SpeculationMode.OFF : SpeculationMode.LOSSLESS;
        Optional<YamlNode> section = root.optionalChild("speculation");
        if (section.isEmpty()) return new SpeculationSpec(fallback, 0, CascadeSpec.DEFAULT, PolicySpec.DEFAULT);
        YamlNode s = section.get();
        s.allowOnly(Set.of("mode", "k", "cascade", "policy", "stop_confidence", "reprobe_every", "confidence",
                "drafter_selection"));
        SpeculationMode mode = s.optionalKeyword("mode").map(m -> mode(s, m)).orElse(fallback);
        int k = s.integer("k", 0, 1, SpeculationSpec.MAX_K); // 0 = not written; fold-defaults resolves it
        CascadeSpec cascade = CascadeSpec.DEFAULT;
        if (s.has("cascade")) {
            // Settings that cannot take effect are most likely a forgotten "mode: cascade".
            if (mode != SpeculationMode.CASCADE) {
                throw s.error("cascade", "only meaningful with mode cascade, got mode " + mode.wireName());
            }
            cascade = cascade(s.child("cascade"));
        }
        DraftSelection selection = s.optionalKeyword("drafter_selection").map(w -> DraftSelection.fromWire(w)
                .orElseThrow(() -> s.error("drafter_selection", "must be first or adaptive, got " + w)))
                .orElse(DraftSelection.FIRST);
        return new SpeculationSpec(mode, k, cascade, policy(s), selection);
    }

    private static PolicySpec policy(YamlNode s) {
        SpeculationPolicy policy = s.optionalKeyword("policy").map(p -> SpeculationPolicy.fromWire(p)
                .orElseThrow(() -> s.error("policy", "must be " + SpeculationPolicy.wireNames() + ", got " + p)))
                .orElse(PolicySpec.DEFAULT.policy());
        double stop = s.number("stop_confidence", PolicySpec.DEFAULT_STOP_CONFIDENCE, 0, 1);
        int reprobe = s.integer("reprobe_every", PolicySpec.DEFAULT_REPROBE_EVERY, 1, 1_000_000);
        CascadeSpec.Confidence confidence = s.optionalString("confidence").map(w -> confidence(s, w))
                .orElse(CascadeSpec.Confidence.MAX_PROB);
        return new PolicySpec(policy, stop, reprobe, confidence);
    }

    private static SpeculationMode mode(YamlNode s, String written) {
        return Arrays.stream(SpeculationMode.values()).filter(m -> m.wireName().equals(written)).findFirst()
                .orElseThrow(() -> s.error("mode", "must be " + wireNames(SpeculationMode.values(),
                        SpeculationMode::wireName) + ", got " + written));
    }

    private static CascadeSpec cascade(YamlNode c) {
        c.allowOnly(Set.of("rule", "alpha", "confidence", "tau", "rollback", "max_unverified"));
        CascadeSpec d = CascadeSpec.DEFAULT;
        CascadeSpec.Rule rule = c.optionalString("rule").map(w -> rule(c, w)).orElse(CascadeSpec.Rule.BILD);
        if (rule.speculative()) {
            // BiLD's hand-over settings mean nothing to a speculative cascade: written, they are a mistake.
            for (String bild : List.of("confidence", "tau", "rollback", "max_unverified")) {
                if (c.has(bild)) throw c.error(bild, "only meaningful with rule bild, got rule " + rule.wireName());
            }
            double alpha = c.number("alpha", rule.defaultAlpha(), rule.minAlpha(), rule.maxAlpha());
            return CascadeSpec.speculative(rule, alpha);
        }
        if (c.has("alpha")) throw c.error("alpha", "is the parameter of rules chow, diff and opt, not of bild");
        CascadeSpec.Confidence confidence = c.optionalString("confidence")
                .map(w -> confidence(c, w)).orElse(d.confidence());
        return new CascadeSpec(confidence,
                c.number("tau", d.tau(), 0, 1),
                c.nonNegative("rollback", d.rollback()),
                c.integer("max_unverified", d.maxUnverified(), 1, MAX_UNVERIFIED));
    }

    private static CascadeSpec.Rule rule(YamlNode c, String written) {
        return Arrays.stream(CascadeSpec.Rule.values()).filter(r -> r.wireName().equals(written)).findFirst()
                .orElseThrow(() -> c.error("rule", "must be " + wireNames(CascadeSpec.Rule.values(),
                        CascadeSpec.Rule::wireName) + ", got " + written));
    }

    private static CascadeSpec.Confidence confidence(YamlNode c, String written) {
        return Arrays.stream(CascadeSpec.Confidence.values()).filter(v -> wireName(v).equals(written)).findFirst()
                .orElseThrow(() -> c.error("confidence", "must be " + wireNames(CascadeSpec.Confidence.values(),
                        DrafterParser::wireName) + ", got " + written));
    }

    static String wireName(CascadeSpec.Confidence c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    private static <T> String wireNames(T[] values, java.util.function.Function<T, String> name) {
        List<String> names = Arrays.stream(values).map(name).toList();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }
}
