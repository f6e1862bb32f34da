package dev.specd.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running server saves its pipelines' profiles periodically (PGO), where the next start loads
 * them. Warm-starting from a saved profile is covered by {@code ProfileStoreTest}.
 */
@QuarkusTest
@TestProfile(ProfilePersistenceTest.Saving.class)
class ProfilePersistenceTest {

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"),
            "specd-profiles-test-" + ProcessHandle.current().pid());

    public static final class Saving implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("specd.profiles.enabled", "true", "specd.profiles.dir", DIR.toString(),
                    "specd.profiles.save-interval", "200ms", "specd.pipelines.embedded", "stories");
        }
    }

    @AfterAll
    static void removeProfiles() throws java.io.IOException {
        if (!Files.isDirectory(DIR)) return;
        try (var files = Files.list(DIR)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(DIR);
    }

    /** Engines save their costs and presets their acceptance, keyed per engine + preset, every save interval. */
    @Test
    void speculatingPipelinesSaveTheirProfilePeriodically() throws Exception {
        given().contentType("application/json").body("""
                {"model":"stories","prompt":"Once upon a time","max_tokens":48,"temperature":0}""")
                .post("/v1/completions").then().statusCode(200);
        String engine = given().get("/v1/pipelines/stories").path("engine");
        Path preset = DIR.resolve(engine + "--stories.json");
        Path costs = DIR.resolve(engine + ".engine.json");
        ObjectMapper json = new ObjectMapper();
        JsonNode saved = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.isRegularFile(preset) ? json.readTree(preset.toFile()) : null,
                        s -> s != null && s.path("rounds").asLong() > 0);
        assertEquals(2, saved.path("version").asInt());
        assertEquals("stories", saved.path("pipeline").asText());
        assertFalse(saved.path("plan").asText().isEmpty());
        assertTrue(saved.path("classes").has("lossless/greedy"), saved.toString());
        JsonNode engineCosts = await().atMost(Duration.ofSeconds(30)).until(
                () -> Files.isRegularFile(costs) ? json.readTree(costs.toFile()) : null, s -> s != null);
        assertEquals(engine, engineCosts.path("engine").asText());
        assertTrue(engineCosts.path("verifyNanos").get(1).asDouble() > 0, "the calibrated cost model is saved");
        assertTrue(engineCosts.path("draftNanos").size() == 1, "one draft model's step costs: " + engineCosts);
    }
}
