package dev.specd.plan;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A YAML mapping node that knows its path, so that every error names the file and the field
 * (e.g. {@code stories.yaml: target.context: must be a positive integer, got "big"}).
 */
final class YamlNode {

    private final JsonNode node;
    private final String file;
    private final String path;

    YamlNode(JsonNode node, String file, String path) {
        this.node = node;
        this.file = file;
        this.path = path;
        if (node != null && !node.isObject()) throw error("", "must be a mapping");
    }

    SpecException error(String field, String why) {
        return new SpecException(file, join(field), why);
    }

    private String join(String field) {
        if (path.isEmpty()) return field;
        return field.isEmpty() ? path : path + "." + field;
    }

    boolean has(String field) {
        return node != null && node.hasNonNull(field);
    }

    /** Rejects keys this version does not know: a typo must not silently become a default. */
    void allowOnly(Set<String> fields) {
        if (node == null) return;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!fields.contains(key)) {
                throw error(key, "unknown field (known: " + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
    }

    YamlNode child(String field) {
        JsonNode c = node == null ? null : node.get(field);
        if (c == null || c.isNull()) throw error(field, "is required");
        return new YamlNode(c, file, join(field));
    }

    Optional<YamlNode> optionalChild(String field) {
        return has(field) ? Optional.of(child(field)) : Optional.empty();
    }

    /**
     * The mappings of an optional sequence field, each knowing its path ({@code drafters[1]}), so
     * that an error inside the third drafter says which one it is. Absent or null = empty.
     */
    List<YamlNode> mappings(String field) {
        if (!has(field)) return List.of();
        JsonNode v = node.get(field);
        if (!v.isArray()) throw error(field, "must be a list, got " + v);
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String itemPath = join(field) + "[" + i + "]";
            if (item == null || !item.isObject()) {
                throw new SpecException(file, itemPath, "must be a mapping, got " + item);
            }
            out.add(new YamlNode(item, file, itemPath));
        }
        return out;
    }

    String string(String field) {
        return optionalString(field).orElseThrow(() -> error(field, "is required"));
    }

    Optional<String> optionalString(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = node.get(field);
        if (!v.isValueNode() || v.isBoolean()) throw error(field, "must be a string, got " + v);
        String s = v.asText();
        if (s.isBlank()) throw error(field, "must not be empty");
        return Optional.of(s);
    }

    /**
     * A keyword such as a mode name. YAML 1.1 (which the parser speaks) reads an unquoted {@code off}
     * as the boolean false, so false means "off" here instead of failing as "not a string".
     */
    Optional<String> optionalKeyword(String field) {
        if (has(field) && node.get(field).isBoolean()) {
            return Optional.of(node.get(field).booleanValue() ? "true" : "off");
        }
        return optionalString(field);
    }

    boolean bool(String field, boolean defaultValue) {
        if (!has(field)) return defaultValue;
        JsonNode v = node.get(field);
        if (!v.isBoolean()) throw error(field, "must be true or false, got " + v);
        return v.booleanValue();
    }

    int integer(String field, int defaultValue, int min, int max) {
        if (!has(field)) return defaultValue;
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber()) throw error(field, "must be an integer, got " + v);
        long x = v.asLong();
        if (x < min || x > max) throw error(field, "must be in " + min + ".." + max + ", got " + x);
        return (int) x;
    }

    double number(String field, double defaultValue, double min, double max) {
        if (!has(field)) return defaultValue;
        JsonNode v = node.get(field);
        if (!v.isNumber()) throw error(field, "must be a number, got " + v);
        double x = v.asDouble();
        // Written so that NaN (YAML .nan) fails too: every comparison with NaN is false.
        if (!(x >= min && x <= max)) throw error(field, "must be in " + min + ".." + max + ", got " + x);
        return x;
    }

    boolean flag(String field, boolean defaultValue) {
        if (!has(field)) return defaultValue;
        JsonNode v = node.get(field);
        if (!v.isBoolean()) throw error(field, "must be true or false, got " + v);
        return v.booleanValue();
    }

    /** A number ≥ 0 with no upper bound (YAML {@code .inf} allowed, {@code .nan} not). */
    double nonNegative(String field, double defaultValue) {
        if (!has(field)) return defaultValue;
        JsonNode v = node.get(field);
        if (!v.isNumber()) throw error(field, "must be a number, got " + v);
        double x = v.asDouble();
        if (!(x >= 0)) throw error(field, "must be >= 0, got " + x);
        return x;
    }

    /** The scalar fields of this mapping as strings, in file order. */
    List<String[]> scalars() {
        List<String[]> out = new ArrayList<>();
        if (node == null) return out;
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode()) throw error(e.getKey(), "must be a scalar, got " + e.getValue());
            out.add(new String[] {e.getKey(), e.getValue().asText()});
        }
        return out;
    }
}
