package dev.specd.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.specd.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules (one file for docker-compose's Prometheus and the Helm chart's PrometheusRule)
 * and the compose stack's Prometheus configuration, checked by Prometheus' own {@code promtool}:
 * the rules parse, every alert has unit tests, and the tests pass (each alert fires on a sick series
 * with the expected labels and annotations, and stays quiet on a healthy one).
 */
class AlertRulesTest {

    static final Path RULES_DIR = Path.of("docker/prometheus/rules");
    static final Path RULES = RULES_DIR.resolve("specd-alerts.yml");
    static final Path RULE_TESTS = RULES_DIR.resolve("specd-alerts.test.yml");
    private static final Duration LIMIT = Duration.ofMinutes(1);
    private static Path promtool;

    @BeforeAll
    static void findPromtool() {
        promtool = ExternalTools.onPath("promtool").orElse(null);
        assumeTrue(promtool != null, ExternalTools.missing("promtool"));
    }

    @Test
    void theRulesParse() throws Exception {
        ExternalTools.Result r = ExternalTools.run(LIMIT, Path.of("."), promtool.toString(), "check", "rules",
                RULES.toString());
        assertTrue(r.ok(), r.describe());
        assertTrue(r.output().contains("SUCCESS: " + alerts().size() + " rules found"), r.describe());
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        ExternalTools.Result r = ExternalTools.run(LIMIT, RULES_DIR, promtool.toString(), "test", "rules",
                RULE_TESTS.getFileName().toString());
        assertTrue(r.ok(), r.describe());
    }

    @Test
    void everyAlertHasATest() throws IOException {
        Set<String> tested = new TreeSet<>();
        for (JsonNode group : yaml(RULE_TESTS).path("tests")) {
            for (JsonNode t : group.path("alert_rule_test")) {
                if (!t.path("exp_alerts").isEmpty()) tested.add(t.path("alertname").asText());
            }
        }
        assertEquals(alerts(), tested, "alerts seen firing in specd-alerts.test.yml");
    }

    @Test
    void theComposePrometheusConfigurationIsValid() throws Exception {
        // Also loads the rule file it names, by the same relative path as in the container.
        ExternalTools.Result r = ExternalTools.run(LIMIT, Path.of("."), promtool.toString(), "check", "config",
                "docker/prometheus/prometheus.yml");
        assertTrue(r.ok(), r.describe());
        assertTrue(r.output().contains("1 rule files found"), r.describe());
    }

    static Set<String> alerts() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : yaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) names.add(rule.path("alert").asText());
            }
        }
        return names;
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }
}
