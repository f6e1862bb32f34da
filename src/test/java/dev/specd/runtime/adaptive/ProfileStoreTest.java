package dev.specd.runtime.adaptive;

import dev.specd.app.ProfileStore;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.TargetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Saved profiles (PGO): an engine's costs and a preset's acceptance through disk, a warm start,
 * profiles that must not be trusted, and a save that must not undo a newer one.
 */
class ProfileStoreTest {

    @TempDir
    Path dir;

    static ExecutionPlan plan(int threads) {
        return ExecutionPlan.targetOnly("scripted", new ModelRef.File("target.gguf", Optional.empty(), Optional.empty()),
                4096, 4, threads);
    }

    static String engineKey(int threads) {
        return ProfileStore.engineKey(plan(threads).target(), List.of());
    }

    /** A profile that has seen 80 rounds at α = 0.9, on a calibrated cost model. */
    static PipelineProfile trained(ExecutionPlan plan) {
        CostModel costs = new CostModel();
        for (int n = 1; n <= 40; n++) costs.calibrateVerify(n, AdaptivePolicyTest.CPU.applyAsLong(n));
        PipelineProfile profile = new PipelineProfile(plan.id(), ProfileStore.presetKey(plan), costs, null);
        ScriptedPair pair = new ScriptedPair(AdaptivePolicyTest.settings(SpeculationPolicy.STATIC, 6), profile,
                AdaptivePolicyTest.CPU, () -> 0.9, 4000);
        for (int i = 0; i < 80; i++) pair.round(1);
        return profile;
    }

    @Test
    void aSavedProfileLoadsBackEqual() {
        ExecutionPlan plan = plan(2);
        PipelineProfile original = trained(plan);
        ProfileStore store = new ProfileStore(dir);
        assertEquals(Optional.of(dir.resolve("e--scripted.json")), store.savePreset("e", original.snapshot()));
        assertEquals(Optional.of(dir.resolve("e.engine.json")),
                store.saveEngine(original.costs().snapshot("e", engineKey(2))));

        CostModel costs = new CostModel();
        costs.restore(store.loadEngine("e", engineKey(2)).orElseThrow());
        PipelineProfile restored = new PipelineProfile(plan.id(), ProfileStore.presetKey(plan), costs, null);
        restored.restore(store.loadPreset("e", plan.id(), ProfileStore.presetKey(plan)).orElseThrow());
        ProfileData a = original.snapshot(), b = restored.snapshot();
        assertEquals(a.version(), b.version());
        assertEquals(a.plan(), b.plan());
        assertEquals(a.rounds(), b.rounds());
        assertEquals(a.classes().keySet(), b.classes().keySet());
        a.classes().forEach((k, v) -> {
            assertArrayEquals(v.reached(), b.classes().get(k).reached(), 1e-12);
            assertArrayEquals(v.accepted(), b.classes().get(k).accepted(), 1e-12);
        });
        assertEquals(a.confidence().keySet(), b.confidence().keySet());
        assertArrayEquals(original.costs().snapshot("e", "k").verifyNanos(), costs.snapshot("e", "k").verifyNanos(), 1e-6);
        RequestClass greedy = RequestClass.parse("lossless/greedy").orElseThrow();
        assertEquals(original.alpha(greedy, 0), restored.alpha(greedy, 0), 1e-12);
        assertTrue(restored.alpha(greedy, 0) > 0.8, "the profile learnt alpha ~0.9: " + restored.alpha(greedy, 0));
    }

    @Test
    void aWarmStartedRequestDraftsLongerFromItsFirstRound() {
        ExecutionPlan plan = plan(2);
        ProfileStore store = new ProfileStore(dir);
        PipelineProfile trained = trained(plan);
        store.savePreset("e", trained.snapshot());
        store.saveEngine(trained.costs().snapshot("e", engineKey(2)));
        CostModel costs = new CostModel();
        costs.restore(store.loadEngine("e", engineKey(2)).orElseThrow());
        assertTrue(costs.calibrated(), "the saved cost model comes back: no calibration needed");
        PipelineProfile warm = new PipelineProfile(plan.id(), ProfileStore.presetKey(plan), costs, null);
        warm.restore(store.loadPreset("e", plan.id(), ProfileStore.presetKey(plan)).orElseThrow());

        PipelineProfile cold = new PipelineProfile(plan.id());
        for (int n = 1; n <= 40; n++) cold.costs().calibrateVerify(n, AdaptivePolicyTest.CPU.applyAsLong(n));
        int coldFirst = firstK(cold);
        int warmFirst = firstK(warm);
        assertTrue(coldFirst <= 2, "cold: " + coldFirst);
        assertTrue(warmFirst >= 3 && warmFirst > coldFirst, "warm " + warmFirst + " vs cold " + coldFirst);
    }

    private static int firstK(PipelineProfile profile) {
        ScriptedPair pair = new ScriptedPair(AdaptivePolicyTest.settings(SpeculationPolicy.ADAPTIVE, 8), profile,
                AdaptivePolicyTest.CPU, () -> 0.9, 4000);
        return ((AdaptiveLength) pair.length()).choose(1, 8);
    }

    @Test
    void profilesOfAnotherEngineOrVersionOrUnreadableAreIgnored() throws IOException {
        ProfileStore store = new ProfileStore(dir);
        store.saveEngine(trained(plan(2)).costs().snapshot("e", engineKey(2)));
        assertTrue(store.loadEngine("e", engineKey(2)).isPresent());
        assertTrue(store.loadEngine("e", engineKey(8)).isEmpty(), "measured with 2 threads, not 8");
        assertTrue(new TargetSpec(plan(2).target().model(), 4096, 4, 2, 0).equals(plan(2).target()));

        Path file = dir.resolve("e.engine.json");
        String json = Files.readString(file);
        Files.writeString(file, json.replaceFirst("\"version\" : " + CostData.VERSION, "\"version\" : 99"));
        assertTrue(store.loadEngine("e", engineKey(2)).isEmpty(), "a future version");

        Files.writeString(file, "{\"version\": 2, \"engine\": ");
        assertTrue(store.loadEngine("e", engineKey(2)).isEmpty(), "a truncated file");
        assertTrue(new ProfileStore(dir.resolve("none")).loadEngine("e", engineKey(2)).isEmpty(), "no file");
    }

    /** An offline `specd profile` run saved more rounds than a server that started before it has: the server keeps it. */
    @Test
    void aSaveNeverReplacesAProfileWithMoreMeasurements() {
        ExecutionPlan plan = plan(2);
        ProfileStore store = new ProfileStore(dir);
        PipelineProfile offline = trained(plan);
        assertTrue(store.savePreset("e", offline.snapshot()).isPresent());
        PipelineProfile older = new PipelineProfile(plan.id(), ProfileStore.presetKey(plan), new CostModel(), null);
        ScriptedPair pair = new ScriptedPair(AdaptivePolicyTest.settings(SpeculationPolicy.STATIC, 6), older,
                AdaptivePolicyTest.CPU, () -> 0.5, 4000);
        for (int i = 0; i < 5; i++) pair.round(1);
        assertTrue(store.savePreset("e", older.snapshot()).isEmpty(), "5 rounds must not replace 80");
        assertEquals(offline.rounds(), store.loadPreset("e", plan.id(), ProfileStore.presetKey(plan)).orElseThrow().rounds());
        for (int i = 0; i < 100; i++) pair.round(1);
        assertTrue(store.savePreset("e", older.snapshot()).isPresent(), "105 rounds replace 80");
    }
}
