package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.constrain.UnsupportedConstraintException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code response_format} and the guided-decoding extensions as a {@link TokenConstraint}: the
 * grammar every generated token must keep to. What the constraint compilers cannot enforce is a
 * 400 naming the field and the keyword, never silently free text.
 */
final class GuidedMapper {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> JSON_SCHEMA_FIELDS = Set.of("name", "schema", "strict", "description");

    private GuidedMapper() {
    }

    /** The request's output constraint, or null when it asks for free text. */
    static TokenConstraint constraint(GuidedFields r, Constraints constraints) {
        List<String> given = new ArrayList<>();
        TokenConstraint c = null;
        if (r.responseFormat() != null && !r.responseFormat().isNull()) {
            c = responseFormat(r.responseFormat(), constraints);
            if (c != null) given.add("response_format");
        }
        if (r.guidedJson() != null && !r.guidedJson().isNull()) {
            given.add("guided_json");
            JsonNode schema = r.guidedJson().isTextual() ? parse(r.guidedJson().asText(), "guided_json") : r.guidedJson();
            c = compile("guided_json", () -> constraints.jsonSchema(schema, "guided_json"));
        }
        if (r.guidedRegex() != null) {
            given.add("guided_regex");
            c = compile("guided_regex", () -> constraints.regex(r.guidedRegex()));
        }
        if (r.guidedChoice() != null) {
            given.add("guided_choice");
            c = compile("guided_choice", () -> constraints.choice(r.guidedChoice()));
        }
        if (given.size() > 1) {
            throw ApiException.invalid(given.get(1), given.get(1) + " cannot be combined with " + given.getFirst()
                    + ": a request may constrain its output one way only");
        }
        return c;
    }

    private static TokenConstraint responseFormat(JsonNode f, Constraints constraints) {
        if (!f.isObject()) throw ApiException.invalid("response_format", "response_format must be an object");
        String type = f.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> constraints.jsonObject();
            case "json_schema" -> {
                JsonNode js = f.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw ApiException.invalid("response_format.json_schema",
                            "response_format of type json_schema needs a json_schema object");
                }
                for (var it = js.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!JSON_SCHEMA_FIELDS.contains(k)) {
                        throw ApiException.unsupported("response_format.json_schema." + k,
                                "unknown field '" + k + "' in response_format.json_schema");
                    }
                }
                if (!js.path("name").isTextual()) {
                    throw ApiException.invalid("response_format.json_schema.name", "response_format.json_schema.name is required");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiException.invalid("response_format.json_schema.schema",
                            "response_format.json_schema.schema must be a JSON schema object");
                }
                yield compile("response_format.json_schema.schema",
                        () -> constraints.jsonSchema(schema, js.get("name").asText()));
            }
            default -> throw ApiException.invalid("response_format.type",
                    "response_format.type must be text, json_object or json_schema, got '" + type + "'");
        };
    }

    /** Compiles a constraint; what it cannot enforce is a 400 naming {@code param} and the keyword. */
    static TokenConstraint compile(String param, Supplier<TokenConstraint> build) {
        try {
            return build.get();
        } catch (UnsupportedConstraintException e) {
            throw ApiException.unsupported(param, "cannot enforce " + param + ": " + e.getMessage()
                    + " (keyword '" + e.keyword() + "')");
        }
    }

    private static JsonNode parse(String text, String param) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw ApiException.invalid(param, param + " must be a JSON schema (object or JSON text)");
        }
    }
}
