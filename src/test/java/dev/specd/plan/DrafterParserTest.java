package dev.specd.plan;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.specd.plan.Specs.SMALL_DRAFTER;
import static dev.specd.plan.Specs.TARGET;
import static dev.specd.plan.Specs.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the parser reads from drafters and speculation, and the defaults it leaves for the compiler. */
class DrafterParserTest {

    static final ModelRef.File SMALL = new ModelRef.File("small.gguf", Optional.empty(), Optional.empty());

    @Test
    void withoutDraftersTheModeIsOff() {
        PipelineSpec spec = parse(TARGET);
        assertEquals(List.of(), spec.drafters());
        assertEquals(SpeculationSpec.OFF, spec.speculation());
    }

    @Test
    void withDraftersTheModeIsLosslessAndKIsLeftToTheCompiler() {
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER);
        assertEquals(List.of(new DrafterSpec.Model(SMALL, 0)), spec.drafters());
        assertEquals(new SpeculationSpec(SpeculationMode.LOSSLESS, 0, CascadeSpec.DEFAULT, PolicySpec.DEFAULT), spec.speculation());
    }

    @Test
    void thePolicyIsAdaptiveUnlessTheSpecSaysOtherwise() {
        assertEquals(PolicySpec.DEFAULT, parse(TARGET + SMALL_DRAFTER).speculation().policy());
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + """
                speculation:
                  policy: heuristic
                  stop_confidence: 0.3
                  reprobe_every: 8
                  confidence: entropy
                """);
        assertEquals(new PolicySpec(SpeculationPolicy.HEURISTIC, 0.3, 8, CascadeSpec.Confidence.ENTROPY),
                spec.speculation().policy());
    }

    @Test
    void draftersKeepTheirOrderAndSettings() {
        PipelineSpec spec = parse(TARGET + """
                drafters:
                  - type: lookup
                  - type: model
                    model:
                      forge: truncate
                      source: {file: big.gguf}
                      params: {layers: 2}
                    context: 512
                  - type: lookup
                    ngram_min: 2
                    ngram_max: 6
                """);
        assertEquals(List.of(
                new DrafterSpec.Lookup(1, 4),
                new DrafterSpec.Model(new ModelRef.Forged("truncate",
                        new ModelRef.File("big.gguf", Optional.empty(), Optional.empty()), Map.of("layers", "2")), 512),
                new DrafterSpec.Lookup(2, 6)), spec.drafters());
    }

    @Test
    void anEmptyDrafterListIsNoDrafter() {
        assertEquals(SpeculationSpec.OFF, parse(TARGET + "drafters: []\n").speculation());
    }

    @Test
    void speculationSettings() {
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + """
                speculation:
                  mode: cascade
                  k: 6
                  cascade:
                    confidence: entropy
                    tau: 0.5
                    rollback: 2.5
                    max_unverified: 100
                """);
        assertEquals(new SpeculationSpec(SpeculationMode.CASCADE, 6,
                new CascadeSpec(CascadeSpec.Confidence.ENTROPY, 0.5, 2.5, 100), PolicySpec.DEFAULT), spec.speculation());
    }

    @Test
    void unwrittenCascadeSettingsTakeTheirDefaults() {
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + """
                speculation:
                  mode: cascade
                  cascade: {tau: 0.9}
                """);
        assertEquals(new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, 0.9, 0.0, 32), spec.speculation().cascade());
        assertEquals(0, spec.speculation().k());
    }

    @Test
    void unquotedOffIsTheModeNotABoolean() {
        for (String off : new String[] {"off", "'off'", "\"off\"", "false"}) {
            assertEquals(SpeculationMode.OFF,
                    parse(TARGET + SMALL_DRAFTER + "speculation: {mode: " + off + "}\n").speculation().mode(), off);
        }
    }

    @Test
    void modeOffKeepsTheDraftersForTheCompilerToReport() {
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + "speculation: {mode: off, k: 3}\n");
        assertEquals(new SpeculationSpec(SpeculationMode.OFF, 3, CascadeSpec.DEFAULT, PolicySpec.DEFAULT), spec.speculation());
        assertEquals(1, spec.drafters().size());
    }

    @Test
    void speculativeCascadeRulesTakeTheirAlphaOrItsDefault() {
        for (CascadeSpec.Rule rule : List.of(CascadeSpec.Rule.CHOW, CascadeSpec.Rule.DIFF, CascadeSpec.Rule.OPT)) {
            PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + "speculation: {mode: cascade, cascade: {rule: "
                    + rule.wireName() + "}}\n");
            assertEquals(CascadeSpec.speculative(rule, rule.defaultAlpha()), spec.speculation().cascade());
        }
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER + "speculation: {mode: cascade, cascade: {rule: diff, alpha: -0.2}}\n");
        assertEquals(CascadeSpec.speculative(CascadeSpec.Rule.DIFF, -0.2), spec.speculation().cascade());
    }

    @Test
    void suffixDrafterAndSelection() {
        PipelineSpec spec = parse(TARGET + SMALL_DRAFTER.replace("drafters:\n", "drafters:\n  - type: suffix\n"
                + "    depth: 24\n    factor: 2.5\n    min_prob: 0.2\n    max_nodes: 4096\n  - type: suffix\n    global: false\n")
                + "speculation: {drafter_selection: adaptive}\n");
        assertEquals(new DrafterSpec.Suffix(24, 2.5, 0.2, true, 4096), spec.drafters().get(0));
        assertEquals(new DrafterSpec.Suffix(32, 1.0, 0.1, false, 1 << 18), spec.drafters().get(1));
        assertEquals(DraftSelection.ADAPTIVE, spec.speculation().selection());
        assertEquals(DraftSelection.FIRST, parse(TARGET + SMALL_DRAFTER).speculation().selection());
    }
}
