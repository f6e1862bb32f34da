package dev.specd.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a rendered manifest against the schema of its kind, as the API server would before
 * storing it: unknown fields, missing required fields and wrong types fail. Kubernetes' own kinds
 * go through the official Java client's models, which are generated from Kubernetes' OpenAPI
 * schema and validate their JSON; the Prometheus Operator's through fabric8's model of its CRDs,
 * read strictly (fabric8 would keep unknown fields aside); KEDA's ScaledObject through the records
 * below, written from KEDA's v2 CRD reference, as no Maven artifact models it.
 */
final class ManifestValidator {

    /** A kind's check: parses the manifest's JSON and throws on the first violation. */
    private interface Check {
        void validate(String json) throws IOException;
    }

    private static final Map<String, Check> CHECKS = Map.ofEntries(
            Map.entry("v1/ServiceAccount", V1ServiceAccount::fromJson),
            Map.entry("v1/Service", V1Service::fromJson),
            Map.entry("v1/ConfigMap", V1ConfigMap::fromJson),
            Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim::fromJson),
            Map.entry("apps/v1/Deployment", V1Deployment::fromJson),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress::fromJson),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::fromJson),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::fromJson),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", json -> strict(json, ServiceMonitor.class)),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", json -> strict(json, PrometheusRule.class)),
            Map.entry("keda.sh/v1alpha1/ScaledObject", ManifestValidator::scaledObject));

    /** Unknown fields fail, as do numbers where strings belong and the reverse (Jackson would coerce them). */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE; // fabric8 collects unknown fields with an any-setter: make them fail
                }
            })
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestValidator() {
    }

    /** The kinds this validator knows, as "apiVersion/kind". */
    static Set<String> kinds() {
        return CHECKS.keySet();
    }

    /** Throws, naming the manifest, when it violates its kind's schema or its kind is unknown here. */
    static void validate(JsonNode manifest) {
        String kind = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        String name = kind + " " + manifest.path("metadata").path("name").asText();
        Check check = CHECKS.get(kind);
        if (check == null) throw new IllegalArgumentException(name + ": no schema known for this kind");
        try {
            check.validate(JSON.writeValueAsString(manifest));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + " violates its schema: " + e.getMessage(), e);
        }
    }

    private static void strict(String json, Class<?> type) throws IOException {
        STRICT.readValue(json, type);
    }

    // ---- KEDA ScaledObject (keda.sh/v1alpha1), the fields of its CRD that a chart may set ----

    record ScaledObject(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                        @JsonProperty(required = true) ObjectMeta metadata, @JsonProperty(required = true) Spec spec) {
    }

    record Spec(@JsonProperty(required = true) ScaleTargetRef scaleTargetRef, Integer pollingInterval,
                Integer cooldownPeriod, Integer initialCooldownPeriod, Integer idleReplicaCount,
                Integer minReplicaCount, Integer maxReplicaCount, Advanced advanced,
                @JsonProperty(required = true) List<Trigger> triggers, Fallback fallback) {
    }

    record ScaleTargetRef(String apiVersion, String kind, @JsonProperty(required = true) String name,
                          String envSourceContainerName) {
    }

    record Advanced(HpaConfig horizontalPodAutoscalerConfig, Boolean restoreToOriginalReplicaCount) {
    }

    /** {@code behavior} is autoscaling/v2's, checked by Kubernetes' own model. */
    record HpaConfig(String name, JsonNode behavior) {
    }

    record Fallback(@JsonProperty(required = true) Integer failureThreshold,
                    @JsonProperty(required = true) Integer replicas) {
    }

    record Trigger(@JsonProperty(required = true) String type, String name, String metricType, Boolean useCachedMetrics,
                   @JsonProperty(required = true) Map<String, String> metadata, AuthRef authenticationRef) {
    }

    record AuthRef(@JsonProperty(required = true) String name, String kind) {
    }

    /** The Prometheus scaler's metadata keys (KEDA docs, scalers/prometheus). */
    private static final Set<String> PROMETHEUS_REQUIRED = Set.of("serverAddress", "query", "threshold");
    private static final Set<String> PROMETHEUS_OPTIONAL = Set.of("activationThreshold", "namespace", "customHeaders",
            "ignoreNullValues", "queryParameters", "unsafeSsl", "authModes", "timeout");

    private static void scaledObject(String json) throws IOException {
        ScaledObject o = STRICT.readValue(json, ScaledObject.class);
        if (o.spec().triggers().isEmpty()) throw new IllegalArgumentException("spec.triggers is empty");
        for (Trigger t : o.spec().triggers()) {
            if (!"prometheus".equals(t.type())) continue;
            if (!t.metadata().keySet().containsAll(PROMETHEUS_REQUIRED)) {
                throw new IllegalArgumentException("prometheus trigger lacks one of " + PROMETHEUS_REQUIRED);
            }
            for (String key : t.metadata().keySet()) {
                if (!PROMETHEUS_REQUIRED.contains(key) && !PROMETHEUS_OPTIONAL.contains(key)) {
                    throw new IllegalArgumentException("prometheus trigger: unknown metadata key " + key);
                }
            }
            Double.parseDouble(t.metadata().get("threshold")); // KEDA parses it as a number
        }
        Advanced advanced = o.spec().advanced();
        if (advanced != null && advanced.horizontalPodAutoscalerConfig() != null
                && advanced.horizontalPodAutoscalerConfig().behavior() != null) {
            V2HorizontalPodAutoscalerBehavior.validateJsonElement(
                    JsonParser.parseString(JSON.writeValueAsString(advanced.horizontalPodAutoscalerConfig().behavior())));
        }
    }
}
