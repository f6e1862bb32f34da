package dev.specd.plan;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.specd.plan.Specs.SMALL_DRAFTER;
import static dev.specd.plan.Specs.TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every mistake is reported with the file, the field and why, whether the parser or a compiler
 * pass finds it: the message is exactly {@code file: field: why}.
 */
class BadSpecTest {

    static final String LOOKUP = "drafters: [{type: lookup}]\n";

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                arguments("unknown top-level field", TARGET + "drafter: []\n", "drafter",
                        "unknown field (known: defaults, description, drafters, id, speculation, target)"),
                arguments("unknown drafter field", TARGET + "drafters: [{type: lookup, ngram: 3}]\n",
                        "drafters[0].ngram", "unknown field (known: ngram_max, ngram_min, type)"),
                arguments("unknown speculation field", TARGET + SMALL_DRAFTER + "speculation: {kk: 4}\n",
                        "speculation.kk", "unknown field (known: cascade, confidence, drafter_selection, k, mode, policy, reprobe_every, stop_confidence)"),
                arguments("unknown cascade field", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {threshold: 0.5}}\n",
                        "speculation.cascade.threshold",
                        "unknown field (known: alpha, confidence, max_unverified, rollback, rule, tau)"),
                arguments("unknown policy", TARGET + SMALL_DRAFTER + "speculation: {policy: jit}\n", "speculation.policy",
                        "must be [static, heuristic, adaptive], got jit"),
                arguments("stop confidence above 1", TARGET + SMALL_DRAFTER + "speculation: {stop_confidence: 1.5}\n",
                        "speculation.stop_confidence", "must be in 0.0..1.0, got 1.5"),
                arguments("re-probe never", TARGET + SMALL_DRAFTER + "speculation: {reprobe_every: 0}\n",
                        "speculation.reprobe_every", "must be in 1..1000000, got 0"),
                arguments("unknown confidence", TARGET + SMALL_DRAFTER + "speculation: {confidence: gut}\n",
                        "speculation.confidence", "must be max_prob or entropy, got gut"),
                arguments("k too large", TARGET + SMALL_DRAFTER + "speculation: {k: 99}\n", "speculation.k",
                        "must be in 1..32, got 99"),
                arguments("k zero", TARGET + SMALL_DRAFTER + "speculation: {k: 0}\n", "speculation.k",
                        "must be in 1..32, got 0"),
                arguments("k not an integer", TARGET + SMALL_DRAFTER + "speculation: {k: 2.5}\n", "speculation.k",
                        "must be an integer, got 2.5"),
                arguments("ngram_max below ngram_min", TARGET + "drafters: [{type: lookup, ngram_min: 3, ngram_max: 2}]\n",
                        "drafters[0].ngram_max", "must be >= ngram_min (3), got 2"),
                arguments("ngram_min above the default ngram_max", TARGET + "drafters: [{type: lookup, ngram_min: 6}]\n",
                        "drafters[0].ngram_max", "must be >= ngram_min (6), got 4 (the default)"),
                arguments("ngram_max too large", TARGET + "drafters: [{type: lookup, ngram_max: 33}]\n",
                        "drafters[0].ngram_max", "must be in 1..32, got 33"),
                arguments("the error names the drafter's position", TARGET + """
                                drafters:
                                  - type: lookup
                                  - type: eagle
                                """, "drafters[1].type", "must be model, lookup or suffix, got eagle"),
                arguments("unknown cascade rule", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {rule: fancy}}\n",
                        "speculation.cascade.rule", "must be bild, chow, diff or opt, got fancy"),
                arguments("alpha outside the rule's range", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {rule: chow, alpha: 1.5}}\n",
                        "speculation.cascade.alpha", "must be in 0.0..1.0, got 1.5"),
                arguments("BiLD's settings with a speculative rule", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {rule: opt, tau: 0.5}}\n",
                        "speculation.cascade.tau", "only meaningful with rule bild, got rule opt"),
                arguments("alpha with BiLD", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {alpha: 0.5}}\n",
                        "speculation.cascade.alpha", "is the parameter of rules chow, diff and opt, not of bild"),
                arguments("unknown drafter selection", TARGET + SMALL_DRAFTER + "speculation: {drafter_selection: best}\n",
                        "speculation.drafter_selection", "must be first or adaptive, got best"),
                arguments("unknown suffix field", TARGET + "drafters: [{type: suffix, k: 3}]\n", "drafters[0].k",
                        "unknown field (known: depth, factor, global, max_nodes, min_prob, type)"),
                arguments("suffix depth too small", TARGET + "drafters: [{type: suffix, depth: 2}]\n",
                        "drafters[0].depth", "must be in 4..256, got 2"),
                arguments("a budget for a tree that is off", TARGET
                                + "drafters: [{type: suffix, global: false, max_nodes: 5000}]\n", "drafters[0].max_nodes",
                        "bounds the tree over earlier requests, which global: false turns off"),
                arguments("drafter without type", TARGET + "drafters: [{model: {file: a.gguf}}]\n",
                        "drafters[0].type", "is required"),
                arguments("model drafter without model", TARGET + "drafters: [{type: model}]\n",
                        "drafters[0].model", "is required"),
                arguments("drafter model without file", TARGET + "drafters: [{type: model, model: {url: 'https://x/y'}}]\n",
                        "drafters[0].model.file", "is required"),
                arguments("draft context too small", TARGET + "drafters: [{type: model, model: {file: a.gguf}, context: 8}]\n",
                        "drafters[0].context", "must be 0 (the target's) or at least 16, got 8"),
                arguments("drafters not a list", TARGET + "drafters: {type: lookup}\n", "drafters",
                        "must be a list, got {\"type\":\"lookup\"}"),
                arguments("drafter not a mapping", TARGET + "drafters: [lookup]\n", "drafters[0]",
                        "must be a mapping, got \"lookup\""),
                arguments("bad mode", TARGET + SMALL_DRAFTER + "speculation: {mode: fast}\n", "speculation.mode",
                        "must be off, lossless or cascade, got fast"),
                arguments("mode yes (YAML 1.1 true)", TARGET + SMALL_DRAFTER + "speculation: {mode: yes}\n",
                        "speculation.mode", "must be off, lossless or cascade, got true"),
                arguments("bad confidence", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {confidence: margin}}\n",
                        "speculation.cascade.confidence", "must be max_prob or entropy, got margin"),
                arguments("tau above 1", TARGET + SMALL_DRAFTER + "speculation: {mode: cascade, cascade: {tau: 1.5}}\n",
                        "speculation.cascade.tau", "must be in 0.0..1.0, got 1.5"),
                arguments("tau not a number", TARGET + SMALL_DRAFTER + "speculation: {mode: cascade, cascade: {tau: high}}\n",
                        "speculation.cascade.tau", "must be a number, got \"high\""),
                arguments("negative rollback", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {rollback: -1}}\n",
                        "speculation.cascade.rollback", "must be >= 0, got -1.0"),
                arguments("max_unverified zero", TARGET + SMALL_DRAFTER
                                + "speculation: {mode: cascade, cascade: {max_unverified: 0}}\n",
                        "speculation.cascade.max_unverified", "must be in 1..1024, got 0"),
                arguments("cascade settings without mode cascade", TARGET + SMALL_DRAFTER
                                + "speculation: {cascade: {tau: 0.5}}\n",
                        "speculation.cascade", "only meaningful with mode cascade, got mode lossless"),
                arguments("cascade with only a lookup drafter", TARGET + LOOKUP + "speculation: {mode: cascade}\n",
                        "speculation.mode", "cascade needs a model drafter (a small model that generates alone "
                                + "while confident), but there is only prompt lookup n-gram 4..1"),
                arguments("cascade without drafters", TARGET + "speculation: {mode: cascade}\n", "speculation.mode",
                        "cascade needs a model drafter (a small model that generates alone while confident), "
                                + "but no drafter is written"),
                arguments("cascade drafting with the target", TARGET
                                + "drafters: [{type: model, model: {file: target.gguf}}]\nspeculation: {mode: cascade}\n",
                        "speculation.mode", "cascade needs a model drafter (a small model that generates alone "
                                + "while confident), but its only model drafter is the target itself"),
                arguments("lossless without drafters", TARGET + "speculation: {mode: lossless}\n", "speculation.mode",
                        "lossless needs at least one drafter; write drafters or use mode off"),
                arguments("missing target.model", """
                        id: t
                        target: {context: 4096}
                        """, "target.model", "is required"),
                arguments("budget too small for the verify shape", """
                        id: t
                        target: {model: {file: target.gguf}, context: 80, sequences: 4}
                        """ + SMALL_DRAFTER + "speculation: {k: 8}\n", "speculation.k",
                        "a verify batch of k + 1 = 9 rows needs at least 16 + 9 = 25 cells per sequence, "
                                + "but target.context 80 / target.sequences 4 leaves 20"),
                arguments("budget too small for the default k", """
                        id: t
                        target: {model: {file: target.gguf}, context: 40, sequences: 2}
                        """ + LOOKUP, "speculation.k",
                        "a verify batch of k + 1 = 5 rows needs at least 16 + 5 = 21 cells per sequence, "
                                + "but target.context 40 / target.sequences 2 leaves 20"),
                arguments("draft context too small for the verify shape", TARGET
                                + "drafters: [{type: model, model: {file: a.gguf}, context: 64}]\n",
                        "drafters[0].context",
                        "leaves 16 cells per sequence for 4 sequences; drafting k = 4 needs at least 21"),
                arguments("budget too small even for target-only", """
                        id: t
                        target: {model: {file: target.gguf}, context: 60, sequences: 4}
                        """, "target.context", "leaves 15 cells per sequence for 4 sequences; need at least 16"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void namesFileFieldAndWhy(String name, String yaml, String field, String why) {
        SpecException e = assertThrows(SpecException.class, () -> Specs.compile(yaml));
        assertEquals(Specs.FILE, e.file());
        assertEquals(field, e.field());
        assertEquals(Specs.FILE + ": " + field + ": " + why, e.getMessage());
    }
}
