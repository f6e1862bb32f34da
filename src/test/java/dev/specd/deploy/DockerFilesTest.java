package dev.specd.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compose stack's files agree with each other and with the repository, which is what can be
 * checked without a Docker engine: every folder and file it mounts exists, Prometheus scrapes the
 * service compose defines, Grafana provisions the dashboard folder compose mounts, with the
 * datasource the dashboard expects, and model files stay out of git and of the image build.
 */
class DockerFilesTest {

    private static final Path DOCKER = Path.of("docker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyBindMountSourceExists() throws IOException {
        Map<String, String> mounts = mounts();
        assertTrue(mounts.containsKey("/models"), "the models folder is mounted: " + mounts);
        for (Map.Entry<String, String> m : mounts.entrySet()) {
            Path source = DOCKER.resolve(m.getValue()).normalize();
            assertTrue(Files.exists(source), m.getKey() + " <- " + m.getValue() + ": " + source + " is missing");
        }
        assertTrue(Files.isDirectory(Path.of("models")), "models/ at the repository root");
    }

    @Test
    void prometheusScrapesTheComposeService() throws IOException {
        JsonNode compose = yaml(DOCKER.resolve("docker-compose.yml"));
        JsonNode target = yaml(DOCKER.resolve("prometheus/prometheus.yml")).at("/scrape_configs/0/static_configs/0/targets/0");
        String[] hostPort = target.asText().split(":");
        assertTrue(compose.path("services").has(hostPort[0]), target.asText());
        String published = compose.path("services").path(hostPort[0]).path("ports").get(0).asText();
        assertTrue(published.endsWith(":" + hostPort[1]), published + " vs " + target.asText());
    }

    @Test
    void grafanaProvisionsTheMountedDashboardsWithTheirDatasource() throws IOException {
        JsonNode provider = yaml(DOCKER.resolve("grafana/provisioning/dashboards/specd.yml")).at("/providers/0/options/path");
        assertEquals("./grafana/dashboards", mounts().get(provider.asText()), "the provider reads the mounted folder");
        String uid = yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml")).at("/datasources/0/uid").asText();
        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/specd.json").toFile());
        for (JsonNode v : dashboard.at("/templating/list")) {
            if ("datasource".equals(v.path("type").asText())) {
                assertEquals(uid, v.at("/current/value").asText(), "the dashboard's default datasource");
                return;
            }
        }
        throw new AssertionError("the dashboard has no datasource variable");
    }

    @Test
    void modelFilesStayOutOfGitAndOfTheImage() throws IOException {
        assertTrue(Files.readAllLines(Path.of("models/.gitignore")).contains("*.gguf"));
        List<String> context = Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals("*", context.getFirst(), "an allow-list");
        assertTrue(context.stream().noneMatch(l -> l.startsWith("!models")), "models/ is not sent to the build");
    }

    /** Bind mounts of every service: container path to host path (relative to docker/). */
    private static Map<String, String> mounts() throws IOException {
        Map<String, String> mounts = new HashMap<>();
        for (JsonNode service : yaml(DOCKER.resolve("docker-compose.yml")).path("services")) {
            for (JsonNode v : service.path("volumes")) {
                String[] parts = v.asText().split(":");
                if (parts[0].startsWith(".") || parts[0].startsWith("/")) mounts.put(parts[1], parts[0]);
            }
        }
        return mounts;
    }

    private static JsonNode yaml(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }
}
