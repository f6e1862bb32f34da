package dev.specd.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Helm chart through Helm's own code (helm-java bundles it): {@code helm lint --strict}, then
 * {@code helm template} of every value set in {@code helm/specd/ci/} (values checked against
 * values.schema.json by Helm), each rendered manifest validated against its kind's schema
 * ({@link ManifestValidator}), and what each value set is for checked in the manifests.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/specd");
    private static final String NAMESPACE = "ai";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Helm helm;

    @BeforeAll
    static void chart() {
        helm = new Helm(CHART);
    }

    @Test
    void lintsStrictlyWithoutAFinding() {
        LintResult lint = helm.lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
        assertTrue(lint.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
                String.join("\n", lint.getMessages()));
    }

    @Test
    void everyValueSetHasItsChecks() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            assertEquals(List.of("default", "hpa", "ingress-tls", "keda", "multi-replica"),
                    files.map(f -> f.getFileName().toString().replace("-values.yaml", "")).sorted().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "hpa", "ingress-tls", "keda", "multi-replica"})
    void rendersValidManifests(String valueSet) throws IOException {
        Map<String, JsonNode> manifests = render(valueSet);
        for (JsonNode m : manifests.values()) ManifestValidator.validate(m);
        JsonNode deployment = manifests.get("Deployment");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        // Drain before SIGTERM, a heartbeat liveness, and time for both within the grace period.
        assertEquals(List.of("sleep", "10"), strings(container.at("/lifecycle/preStop/exec/command")));
        assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertTrue(env(container).containsKey("SPECD_HEALTH_ENGINE_STALL_TIMEOUT"));
        assertTrue(pod.path("terminationGracePeriodSeconds").asInt() > 10 + 30 + 10);
        assertEquals("1", manifests.get("PodDisruptionBudget").at("/spec/maxUnavailable").asText());
        // Never two pods on one ReadWriteOnce claim: rolling only where the cache allows it.
        JsonNode cache = volume(pod, "cache");
        String strategy = deployment.at("/spec/strategy/type").asText();
        if (cache.has("persistentVolumeClaim")) {
            JsonNode claim = manifests.get("PersistentVolumeClaim");
            boolean rwx = strings(claim.at("/spec/accessModes")).contains("ReadWriteMany");
            assertTrue(rwx || strategy.equals("Recreate"), "RWO claim with " + strategy);
        } else {
            assertEquals("RollingUpdate", strategy);
            assertEquals(0, deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt());
        }
        switch (valueSet) {
            case "default" -> {
                assertEquals(List.of("Deployment", "PodDisruptionBudget", "Service", "ServiceAccount"),
                        manifests.keySet().stream().sorted().toList());
                assertEquals(1, deployment.at("/spec/replicas").asInt());
                assertEquals("20Gi", cache.at("/ephemeral/volumeClaimTemplate/spec/resources/requests/storage").asText());
            }
            case "hpa" -> {
                JsonNode hpa = manifests.get("HorizontalPodAutoscaler");
                assertTrue(deployment.at("/spec/replicas").isMissingNode(), "the HPA owns the replica count");
                assertEquals("specd_saturation", hpa.at("/spec/metrics/0/pods/metric/name").asText());
                assertEquals("800m", hpa.at("/spec/metrics/0/pods/target/averageValue").asText());
                assertEquals(deployment.at("/metadata/name"), hpa.at("/spec/scaleTargetRef/name"));
                assertEquals(8, hpa.at("/spec/maxReplicas").asInt());
                assertEquals("fast-ssd", cache.at("/ephemeral/volumeClaimTemplate/spec/storageClassName").asText());
                assertTrue(manifests.containsKey("ServiceMonitor"));
                assertTrue(deployment.at("/spec/template/metadata/annotations").isMissingNode(),
                        "scraped by the ServiceMonitor, not twice through annotations");
            }
            case "keda" -> {
                JsonNode trigger = manifests.get("ScaledObject").at("/spec/triggers/0/metadata");
                assertTrue(deployment.at("/spec/replicas").isMissingNode(), "KEDA's HPA owns the replica count");
                assertEquals("sum(max by (pod) (specd_saturation{namespace=\"ai\", pod=~\"specd-[a-z0-9]+-[a-z0-9]+\"}))",
                        trigger.path("query").asText());
                assertEquals("0.75", trigger.path("threshold").asText());
                assertEquals(YAML.readTree(CHART.resolve("files/specd-alerts.yml").toFile()).path("groups"),
                        manifests.get("PrometheusRule").at("/spec/groups"), "the alert rule file, as it is");
                JsonNode dashboard = manifests.get("ConfigMap");
                assertEquals("1", dashboard.at("/metadata/labels/grafana_dashboard").asText());
                assertEquals(Files.readString(CHART.resolve("files/specd-dashboard.json")),
                        dashboard.at("/data/specd-dashboard.json").asText(), "the dashboard, as it is");
            }
            case "ingress-tls" -> {
                JsonNode ingress = manifests.get("Ingress");
                assertEquals("specd-tls", ingress.at("/spec/tls/0/secretName").asText());
                assertEquals("specd.example.com", ingress.at("/spec/rules/0/host").asText());
                assertEquals("gguf-models", volume(pod, "models").at("/persistentVolumeClaim/claimName").asText());
                assertEquals("false", env(container).get("SPECD_DOWNLOAD"));
                assertEquals("registry.example.com/specd:0.1.0", container.path("image").asText());
            }
            case "multi-replica" -> {
                assertEquals(3, deployment.at("/spec/replicas").asInt());
                assertEquals("specd-cache", cache.at("/persistentVolumeClaim/claimName").asText());
                assertEquals("nfs-client", manifests.get("PersistentVolumeClaim").at("/spec/storageClassName").asText());
                assertEquals("2", env(container).get("SPECD_ENGINE_THREADS"));
                assertTrue(manifests.get("ConfigMap").at("/data/qwen.yaml").asText().contains("id: qwen"));
            }
            default -> throw new AssertionError(valueSet);
        }
    }

    @Test
    void refusesSeveralPodsOnOneReadWriteOnceClaim() {
        IllegalStateException replicas = assertThrows(IllegalStateException.class, () -> helm.template()
                .withName("specd").set("cache.type", "shared").set("cache.shared.accessModes[0]", "ReadWriteOnce")
                .set("replicaCount", 2).call());
        assertTrue(replicas.getMessage().contains("ReadWriteMany"), replicas.getMessage());
        IllegalStateException rolling = assertThrows(IllegalStateException.class, () -> helm.template()
                .withName("specd").set("cache.type", "shared").set("cache.shared.accessModes[0]", "ReadWriteOnce")
                .set("strategy.type", "RollingUpdate").call());
        assertTrue(rolling.getMessage().contains("RollingUpdate"), rolling.getMessage());
    }

    @Test
    void aSingleReadWriteOncePodIsRecreated() throws IOException {
        String out = helm.template().withName("specd").set("cache.type", "shared")
                .set("cache.shared.accessModes[0]", "ReadWriteOnce").call();
        assertEquals("Recreate", manifests(out).get("Deployment").at("/spec/strategy/type").asText());
    }

    @Test
    void theValuesSchemaRefusesUnknownAndMistypedValues() {
        IllegalStateException old = assertThrows(IllegalStateException.class, () -> helm.template().withName("specd")
                .set("cache.persistence.enabled", "true").call());
        assertTrue(old.getMessage().contains("persistence"), old.getMessage());
        IllegalStateException kind = assertThrows(IllegalStateException.class, () -> helm.template().withName("specd")
                .set("autoscaling.kind", "vpa").call());
        assertTrue(kind.getMessage().contains("autoscaling"), kind.getMessage());
    }

    /** The validator is not a rubber stamp: a field the schema lacks, or a missing required one, fails. */
    @Test
    void theManifestValidatorFindsViolations() throws IOException {
        Map<String, JsonNode> manifests = render("keda");
        for (String kind : List.of("Deployment", "PrometheusRule", "ScaledObject", "PodDisruptionBudget")) {
            ObjectNode extra = manifests.get(kind).deepCopy();
            ((ObjectNode) extra.path("spec")).put("replicaz", 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ManifestValidator.validate(extra));
            assertTrue(e.getMessage().contains("replicaz"), kind + ": " + e.getMessage());
        }
        ObjectNode noImage = manifests.get("Deployment").deepCopy();
        ((ObjectNode) noImage.at("/spec/template/spec/containers/0")).remove("name");
        assertThrows(IllegalArgumentException.class, () -> ManifestValidator.validate(noImage));
        ObjectNode numberAsString = manifests.get("ScaledObject").deepCopy();
        ((ObjectNode) numberAsString.at("/spec")).put("maxReplicaCount", "6");
        assertThrows(IllegalArgumentException.class, () -> ManifestValidator.validate(numberAsString));
        assertNull(manifests.get("HorizontalPodAutoscaler"), "KEDA makes its own HPA");
    }

    private static Map<String, JsonNode> render(String valueSet) throws IOException {
        return manifests(helm.template().withName("specd").withNamespace(NAMESPACE).withKubeVersion("1.32.0")
                .withValuesFile(CHART.resolve("ci").resolve(valueSet + "-values.yaml")).call());
    }

    /** The rendered documents by kind (the chart renders at most one of each). */
    private static Map<String, JsonNode> manifests(String rendered) throws IOException {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        try (var docs = new YAMLMapper().readerFor(JsonNode.class).readValues(rendered)) {
            while (docs.hasNext()) {
                JsonNode doc = (JsonNode) docs.next();
                if (doc == null || doc.isEmpty()) continue;
                JsonNode before = byKind.put(doc.path("kind").asText(), doc);
                assertNull(before, "two manifests of kind " + doc.path("kind").asText());
            }
        }
        return byKind;
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode v : pod.path("volumes")) if (name.equals(v.path("name").asText())) return v;
        throw new AssertionError("no volume " + name + " in " + pod.path("volumes"));
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) env.put(e.path("name").asText(), e.path("value").asText());
        return env;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
