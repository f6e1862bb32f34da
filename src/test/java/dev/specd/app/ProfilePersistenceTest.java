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
import java.util.Map;

import static io.restassured.RestAssured.given;
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
                    "specd.profiles.save-interval", "200ms", "specd.pipelines.embedded", "stories-lossless");
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

    @Test
    void speculatingPipelinesSaveTheirProfilePeriodically() throws Exception {
        given().contentType("application/json").body("""
                {"model":"stories-lossless","prompt":"Once upon a time","max_tokens":48,"temperature":0}""")
                .post("/v1/completions").then().statusCode(200);
        Path file = DIR.resolve("stories-lossless.json");
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode saved = null;
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(file)) {
                saved = new ObjectMapper().readTree(file.toFile());
                if (saved.path("rounds").asLong() > 0) break;
            }
            Thread.sleep(50);
        }
        assertTrue(saved != null && saved.path("rounds").asLong() > 0, "no profile with rounds in " + file);
        assertEquals(1, saved.path("version").asInt());
        assertEquals("stories-lossless", saved.path("pipeline").asText());
        assertFalse(saved.path("plan").asText().isEmpty());
        assertTrue(saved.path("classes").has("lossless/greedy"), saved.toString());
        assertTrue(saved.path("verifyNanos").get(1).asDouble() > 0, "the calibrated cost model is saved");
    }
}
