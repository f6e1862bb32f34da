package dev.specd.runtime;

import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.SpeculationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saved profiles (PGO): a round trip through disk, a warm start, and profiles that must not be trusted. */
class ProfileStoreTest {

    @TempDir
    Path dir;

    static ExecutionPlan plan(int threads) {
        return ExecutionPlan.targetOnly("scripted", new ModelRef.File("target.gguf", Optional.empty(), Optional.empty()),
                4096, 4, threads);
    }

    /** A profile that has seen 80 rounds at α = 0.9. */
    static PipelineProfile trained(ExecutionPlan plan) {
        PipelineProfile profile = new PipelineProfile(plan.id(), ProfileStore.planKey(plan));
        for (int n = 1; n <= 40; n++) profile.observeVerify(n, AdaptivePolicyTest.CPU.applyAsLong(n));
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
        Path file = store.save(original.snapshot());
        assertEquals(dir.resolve("scripted.json"), file);

        PipelineProfile restored = new PipelineProfile(plan.id(), ProfileStore.planKey(plan));
        restored.restore(store.load(plan).orElseThrow());
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
        assertArrayEquals(a.verifyNanos(), b.verifyNanos(), 1e-6);
        assertEquals(a.draftNanosPerToken(), b.draftNanosPerToken(), 1e-9);
        RequestClass greedy = RequestClass.parse("lossless/greedy").orElseThrow();
        assertEquals(original.alpha(greedy, 0), restored.alpha(greedy, 0), 1e-12);
        assertTrue(restored.alpha(greedy, 0) > 0.8, "the profile learnt alpha ~0.9: " + restored.alpha(greedy, 0));
    }

    @Test
    void aWarmStartedRequestDraftsLongerFromItsFirstRound() {
        ExecutionPlan plan = plan(2);
        ProfileStore store = new ProfileStore(dir);
        store.save(trained(plan).snapshot());
        PipelineProfile warm = new PipelineProfile(plan.id(), ProfileStore.planKey(plan));
        warm.restore(store.load(plan).orElseThrow());
        assertTrue(warm.calibrated(), "the saved cost model comes back: no calibration needed");

        PipelineProfile cold = new PipelineProfile(plan.id());
        for (int n = 1; n <= 40; n++) cold.observeVerify(n, AdaptivePolicyTest.CPU.applyAsLong(n));
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
    void profilesOfAnotherPlanOrVersionOrUnreadableAreIgnored() throws IOException {
        ProfileStore store = new ProfileStore(dir);
        store.save(trained(plan(2)).snapshot());
        assertTrue(store.load(plan(2)).isPresent());
        assertTrue(store.load(plan(8)).isEmpty(), "measured with 2 threads, not 8");

        String json = Files.readString(dir.resolve("scripted.json"));
        Files.writeString(dir.resolve("scripted.json"), json.replaceFirst("\"version\" : 1", "\"version\" : 99"));
        assertTrue(store.load(plan(2)).isEmpty(), "a future version");

        Files.writeString(dir.resolve("scripted.json"), "{\"version\": 1, \"pipeline\": ");
        assertTrue(store.load(plan(2)).isEmpty(), "a truncated file");
        assertTrue(new ProfileStore(dir.resolve("none")).load(plan(2)).isEmpty(), "no file");
    }
}
