package dev.specd.plan;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.specd.plan.Specs.SMALL_DRAFTER;
import static dev.specd.plan.Specs.TARGET;
import static dev.specd.plan.Specs.compile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiler's passes, one behaviour at a time. */
class PipelineCompilerTest {

    static final ModelRef.File SMALL = new ModelRef.File("small.gguf", Optional.empty(), Optional.empty());

    static String note(ExecutionPlan plan, String pass) {
        return plan.passes().stream().filter(p -> p.startsWith(pass + ": ")).findFirst()
                .orElseThrow(() -> new AssertionError("no pass " + pass + " in " + plan.passes()));
    }

    static void assertTargetOnly(ExecutionPlan plan) {
        assertEquals(SpeculationMode.OFF, plan.speculation().mode());
        assertEquals(List.of(), plan.drafters());
        assertEquals(0, plan.speculation().k());
        assertEquals(1, plan.verifyRows());
        assertEquals(CascadeSpec.DEFAULT, plan.speculation().cascade());
    }

    @Test
    void passesRunInOrderAndTheDumpShowsThem() {
        ExecutionPlan plan = compile(TARGET + SMALL_DRAFTER);
        assertEquals(List.of("fold-defaults", "drop-unusable-drafters", "check-mode", "reduce-to-target-only",
                "verify-shape"), plan.passes().stream().map(p -> p.substring(0, p.indexOf(':'))).toList());
        String dump = plan.dump();
        for (String p : plan.passes()) assertTrue(dump.contains("  pass        " + p + "\n"), dump);
        assertTrue(dump.contains("drafter     model small.gguf (context 4096)"), dump);
        assertTrue(dump.contains("k           4 (verify batch: 5 rows per sequence)"), dump);
    }

    @Test
    void foldDefaultsResolvesKAndTheDraftContext() {
        ExecutionPlan plan = compile(TARGET + SMALL_DRAFTER);
        assertEquals(SpeculationMode.LOSSLESS, plan.speculation().mode());
        assertEquals(SpeculationSpec.DEFAULT_K, plan.speculation().k());
        assertEquals(List.of(new DraftPlan.Model(SMALL, 4096)), plan.drafters());
        assertEquals("fold-defaults: k 4 (default); drafters[0].context 4096 (the target's)",
                note(plan, "fold-defaults"));
    }

    @Test
    void anExplicitDraftContextIsKept() {
        ExecutionPlan plan = compile(TARGET + """
                drafters: [{type: model, model: {file: small.gguf}, context: 1024}]
                speculation: {k: 2}
                """);
        assertEquals(List.of(new DraftPlan.Model(SMALL, 1024)), plan.drafters());
        assertEquals("fold-defaults: nothing to fold", note(plan, "fold-defaults"));
    }

    @Test
    void verifyRowsIsKPlusOne() {
        for (int k : new int[] {1, 4, 8, 32}) {
            ExecutionPlan plan = compile(TARGET + SMALL_DRAFTER + "speculation: {k: " + k + "}\n");
            assertEquals(k, plan.speculation().k());
            assertEquals(k + 1, plan.verifyRows());
            assertTrue(note(plan, "verify-shape").startsWith("verify-shape: k " + k + " -> " + (k + 1)),
                    plan.passes().toString());
        }
    }

    @Test
    void modeOffReducesToTargetOnly() {
        ExecutionPlan plan = compile(TARGET + SMALL_DRAFTER + "speculation: {mode: off, k: 8}\n");
        assertTargetOnly(plan);
        assertEquals("reduce-to-target-only: target-only: mode off, 1 drafter(s) unused",
                note(plan, "reduce-to-target-only"));
        assertFalse(plan.dump().contains("drafter     "), plan.dump());
    }

    @Test
    void noDraftersIsTargetOnly() {
        ExecutionPlan plan = compile(TARGET);
        assertTargetOnly(plan);
        assertEquals("reduce-to-target-only: target-only: mode off", note(plan, "reduce-to-target-only"));
        assertEquals("verify-shape: 1 row per sequence (target-only)", note(plan, "verify-shape"));
    }

    @Test
    void theTargetAsDrafterIsDroppedAndTheRestReducesToTargetOnly() {
        // Same checksum under another name is the same weights.
        ExecutionPlan plan = compile(TARGET + """
                drafters:
                  - type: model
                    model: {file: copy-of-target.gguf, sha256: %s}
                """.formatted("a".repeat(64)));
        assertTargetOnly(plan);
        assertEquals("drop-unusable-drafters: dropped drafters[0] (model copy-of-target.gguf (context 4096)): "
                + "it is the target itself; kept 0", note(plan, "drop-unusable-drafters"));
        assertEquals("reduce-to-target-only: target-only: no drafter left after drop-unusable-drafters",
                note(plan, "reduce-to-target-only"));
    }

    @Test
    void aForgedTargetIsRecognisedByItsRecipe() {
        String forged = """
                model:
                  forge: expand
                  source: {file: small.gguf}
                  params: {layers: 8, embd: 256}
                """;
        ExecutionPlan plan = compile("id: t\ntarget:\n" + forged.indent(2) + "drafters:\n  - type: model\n"
                + forged.indent(4) + "  - type: model\n    model: {file: small.gguf}\n");
        assertEquals(List.of(new DraftPlan.Model(SMALL, 2048)), plan.drafters());
        assertEquals(SpeculationMode.LOSSLESS, plan.speculation().mode());
        assertTrue(note(plan, "drop-unusable-drafters").contains("drafters[0] (model expand"), plan.passes().toString());
    }

    /** The large-vocabulary test beds: a draft grown by forge vocab, a target expanded from that same recipe. */
    @Test
    void recipesNestAndNameTheVocabularyAndRandomOperations() {
        String grown = """
                forge: vocab
                source: {file: stories260K.gguf}
                params: {vocab: 152064}
                """;
        PipelineSpec spec = Specs.parse("id: t\ntarget:\n  model:\n    forge: expand\n    source:\n" + grown.indent(6)
                + "    params: {embd: 512, ff: 2048, layers: 12, epsilon: 0.02}\n"
                + "drafters:\n  - type: model\n    model:\n" + grown.indent(6));
        ModelRef.Forged draftRef = new ModelRef.Forged("vocab", new ModelRef.File("stories260K.gguf", Optional.empty(),
                Optional.empty()), Map.of("vocab", "152064"));
        ModelRef.Forged target = (ModelRef.Forged) spec.target().model();
        assertEquals("expand", target.op());
        assertEquals(draftRef, target.source());
        ExecutionPlan plan = PipelineCompiler.compile(spec);
        assertEquals(List.of(new DraftPlan.Model(draftRef, 2048)), plan.drafters());
        PipelineSpec random = Specs.parse("id: r\ntarget:\n  model:\n    forge: random\n"
                + "    source: {file: llama-2-tiny-random.gguf}\n    params: {embd: 8, ff: 32, layers: 1, heads: 2, vocab: 256000}\n");
        assertEquals("random", ((ModelRef.Forged) random.target().model()).op());
        SpecException unknown = assertThrows(SpecException.class, () -> Specs.parse(
                "id: u\ntarget:\n  model:\n    forge: melt\n    source: {file: a.gguf}\n"));
        assertTrue(unknown.getMessage().contains("vocab") && unknown.getMessage().contains("melt"), unknown.getMessage());
    }

    @Test
    void duplicatesAreDroppedKeepingTheFirst() {
        ExecutionPlan plan = compile(TARGET + """
                drafters:
                  - type: model
                    model: {file: small.gguf}
                  - type: lookup
                  - type: model
                    model: {file: small.gguf}
                    context: 4096
                  - type: lookup
                    ngram_min: 1
                    ngram_max: 4
                  - type: lookup
                    ngram_max: 3
                """);
        assertEquals(List.of(new DraftPlan.Model(SMALL, 4096), new DraftPlan.Lookup(1, 4), new DraftPlan.Lookup(1, 3)),
                plan.drafters());
        assertEquals("drop-unusable-drafters: dropped drafters[2] (model small.gguf (context 4096)): duplicate of "
                + "drafters[0], drafters[3] (prompt lookup n-gram 4..1): duplicate of drafters[1]; kept 3",
                note(plan, "drop-unusable-drafters"));
    }

    @Test
    void cascadeKeepsItsSettingsAndLosslessNormalisesThem() {
        ExecutionPlan cascade = compile(TARGET + SMALL_DRAFTER
                + "speculation: {mode: cascade, cascade: {tau: 0.4, rollback: 1.5}}\n");
        assertEquals(SpeculationMode.CASCADE, cascade.speculation().mode());
        assertEquals(new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, 0.4, 1.5, 32), cascade.speculation().cascade());
        assertTrue(note(cascade, "fold-defaults").contains("cascade max_prob >= 0.4, rollback 1.5, at most 32 unverified"),
                cascade.passes().toString());

        // Built by hand: the parser refuses cascade settings without mode cascade, the compiler tolerates them.
        PipelineSpec spec = Specs.parse(TARGET + SMALL_DRAFTER);
        PipelineSpec odd = new PipelineSpec(spec.id(), spec.description(), spec.target(), spec.drafters(),
                new SpeculationSpec(SpeculationMode.LOSSLESS, 3, cascade.speculation().cascade(), PolicySpec.DEFAULT), spec.defaults(), spec.source());
        ExecutionPlan lossless = PipelineCompiler.compile(odd);
        assertEquals(CascadeSpec.DEFAULT, lossless.speculation().cascade());
        assertTrue(note(lossless, "fold-defaults").contains("cascade settings ignored (mode lossless)"));
    }

    @Test
    void cascadeMayMixInALookupDrafter() {
        ExecutionPlan plan = compile(TARGET + """
                drafters: [{type: lookup}, {type: model, model: {file: small.gguf}}]
                speculation: {mode: cascade}
                """);
        assertEquals(List.of(new DraftPlan.Lookup(1, 4), new DraftPlan.Model(SMALL, 4096)), plan.drafters());
        assertEquals("check-mode: cascade with 2 drafter(s)", note(plan, "check-mode"));
    }

    @Test
    void aHandBuiltSpecWithKOutOfRangeIsRejected() {
        PipelineSpec spec = Specs.parse(TARGET + SMALL_DRAFTER);
        PipelineSpec bad = new PipelineSpec(spec.id(), spec.description(), spec.target(), spec.drafters(),
                new SpeculationSpec(SpeculationMode.LOSSLESS, 40, CascadeSpec.DEFAULT, PolicySpec.DEFAULT), spec.defaults(), "hand");
        SpecException e = assertThrows(SpecException.class, () -> PipelineCompiler.compile(bad));
        assertEquals("hand: speculation.k: must be in 1..32, got 40", e.getMessage());
    }

    @Test
    void sameModel() {
        ModelRef.File named = new ModelRef.File("a.gguf", Optional.empty(), Optional.empty());
        ModelRef.File summed = new ModelRef.File("a.gguf", Optional.empty(), Optional.of("1".repeat(64)));
        ModelRef.File otherSum = new ModelRef.File("a.gguf", Optional.empty(), Optional.of("2".repeat(64)));
        assertTrue(ModelRef.sameModel(named, summed));
        assertFalse(ModelRef.sameModel(summed, otherSum));
        ModelRef.Forged f1 = new ModelRef.Forged("expand", named, Map.of("layers", "8"));
        assertTrue(ModelRef.sameModel(f1, new ModelRef.Forged("expand", summed, Map.of("layers", "8"))));
        assertFalse(ModelRef.sameModel(f1, new ModelRef.Forged("expand", named, Map.of("layers", "9"))));
        assertFalse(ModelRef.sameModel(f1, named));
        assertFalse(ModelRef.sameModel(named, f1));
    }

    /** Presets over one target share its engine: their engine settings must agree, and the error names both files. */
    @Test
    void twoPresetsOverOneTargetMustAgreeOnTheEngine() {
        PipelineSpec a = PipelineSpecParser.parse(TARGET.replace("id: t", "id: a"), "a.yaml");
        PipelineSpec b = PipelineSpecParser.parse(TARGET.replace("id: t", "id: b").replace("sequences: 4", "sequences: 8"),
                "b.yaml");
        SpecException e = assertThrows(SpecException.class, () -> PipelineCompiler.compileAll(List.of(a, b)));
        assertEquals("b.yaml", e.file());
        assertEquals("target.sequences", e.field());
        assertTrue(e.getMessage().contains("a.yaml") && e.getMessage().contains("is 8 here but 4"), e.getMessage());

        PipelineSpec c = PipelineSpecParser.parse(TARGET.replace("id: t", "id: c") + SMALL_DRAFTER, "c.yaml");
        assertEquals(2, PipelineCompiler.compileAll(List.of(a, c)).size(), "the same engine settings: fine");
        PipelineSpec twin = PipelineSpecParser.parse(TARGET.replace("id: t", "id: a"), "twin.yaml");
        SpecException dup = assertThrows(SpecException.class, () -> PipelineCompiler.compileAll(List.of(a, twin)));
        assertEquals("id", dup.field());
    }

    @Test
    void overridesNameTheFieldThatCannotApply() {
        ExecutionPlan target = compile(TARGET);
        OverrideException e = assertThrows(OverrideException.class,
                () -> target.withOverride(new SpeculationOverride("lossless", null, null, null), false));
        assertEquals("speculation.mode", e.field());
        ExecutionPlan lossless = compile(TARGET + SMALL_DRAFTER);
        assertEquals("speculation.k", assertThrows(OverrideException.class,
                () -> lossless.withOverride(new SpeculationOverride(null, 33, null, null), false)).field());
        assertEquals("speculation.tau", assertThrows(OverrideException.class,
                () -> lossless.withOverride(new SpeculationOverride(null, null, 2.0, null), false)).field());
        assertEquals("speculation.policy", assertThrows(OverrideException.class,
                () -> lossless.withOverride(new SpeculationOverride(null, null, null, "jit"), false)).field());
        SpeculationSpec seeded = lossless.withOverride(null, true);
        assertEquals(SpeculationPolicy.STATIC, seeded.policy().policy(), "a seeded request drafts a fixed k");
        assertEquals(SpeculationSpec.OFF, lossless.withOverride(new SpeculationOverride("off", null, null, null), false));
        assertEquals(6, lossless.withOverride(new SpeculationOverride(null, 6, null, null), false).k());
    }
}
