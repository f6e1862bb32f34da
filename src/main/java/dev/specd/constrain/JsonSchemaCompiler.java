package dev.specd.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema (the subset OpenAI's structured outputs and tool parameters use, and a bit more) as a
 * byte grammar whose sentences are exactly the compact-or-indented JSON texts that validate.
 * Supported: {@code type} (one or a list), {@code enum}, {@code const}, {@code properties},
 * {@code required}, {@code additionalProperties} (false, true or a schema), {@code items},
 * {@code prefixItems}, {@code minItems}, {@code maxItems}, {@code minLength}, {@code maxLength},
 * {@code pattern}, {@code format} (date, time, date-time, uuid, ipv4), integer {@code minimum} /
 * {@code maximum} / {@code exclusiveMinimum} / {@code exclusiveMaximum}, {@code anyOf},
 * one-element {@code allOf}, local {@code $ref} (recursion included), boolean schemas; annotations
 * ({@code title}, {@code description}, {@code default}, …) are ignored. Anything else is refused
 * with an {@link UnsupportedConstraintException} naming the keyword and where it is.
 * <p>
 * Properties come out in the order the schema lists them (as OpenAI's do); optional ones may be
 * left out. With {@code properties} given and no {@code additionalProperties}, no other property is
 * generated (OpenAI's strict mode, xgrammar's default): a model asked for a shape gets that shape.
 */
public final class JsonSchemaCompiler {

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema",
            "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentEncoding",
            "contentMediaType", "discriminator");
    private static final Set<String> KNOWN = Set.of("type", "enum", "const", "properties", "required",
            "additionalProperties", "items", "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern",
            "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "allOf", "$ref");
    private static final Map<String, String> FORMATS = Map.of(
            "date", SchemaFormats.DATE,
            "time", SchemaFormats.TIME,
            "date-time", SchemaFormats.DATE + "T" + SchemaFormats.TIME,
            "uuid", SchemaFormats.UUID,
            "ipv4", SchemaFormats.IPV4);

    private final ObjectMapper json = new ObjectMapper();
    private final JsonNode root;
    private final Map<String, Expr> named = new LinkedHashMap<>();
    private final Map<String, String> refNames = new HashMap<>();

    private JsonSchemaCompiler(JsonNode root) {
        this.root = root;
    }

    /** The grammar of JSON texts (with optional leading whitespace) that validate against {@code schema}. */
    public static Grammar compile(JsonNode schema) {
        JsonSchemaCompiler c = new JsonSchemaCompiler(schema);
        Expr value = c.schema(schema, "#");
        return Grammar.compile(Expr.seq(JsonGrammar.ws(), value), c.named);
    }

    /** The schema's value grammar for embedding into a larger grammar (tool calls); adds its rules to {@code named}. */
    public static Expr embed(JsonNode schema, Map<String, Expr> named, String prefix) {
        JsonSchemaCompiler c = new JsonSchemaCompiler(schema);
        Expr e = c.schema(schema, "#");
        for (var entry : c.named.entrySet()) {
            named.put(entry.getKey().startsWith("json:") ? entry.getKey() : prefix + entry.getKey(),
                    rename(entry.getValue(), prefix));
        }
        return rename(e, prefix);
    }

    /** Prefixes the schema's own rule names, so that two embedded schemas never share a {@code $ref} name. */
    private static Expr rename(Expr e, String prefix) {
        return switch (e) {
            case Expr.Ref r -> r.name().startsWith("json:") ? r : new Expr.Ref(prefix + r.name());
            case Expr.Seq s -> new Expr.Seq(s.items().stream().map(x -> rename(x, prefix)).toList());
            case Expr.Alt a -> new Expr.Alt(a.options().stream().map(x -> rename(x, prefix)).toList());
            case Expr.Repeat r -> new Expr.Repeat(rename(r.item(), prefix), r.min(), r.max());
            case Expr.Bytes b -> b;
        };
    }

    /** The grammar of any JSON object ({@code response_format: json_object}). */
    public static Grammar anyObject() {
        Map<String, Expr> named = new LinkedHashMap<>();
        return Grammar.compile(Expr.seq(JsonGrammar.ws(), JsonGrammar.anyObject(named)), named);
    }

    private Expr schema(JsonNode s, String path) {
        if (s.isBoolean()) {
            if (s.asBoolean()) return JsonGrammar.anyValue(named);
            throw unsupported("false", path, "the schema 'false' allows no value");
        }
        if (!s.isObject()) throw unsupported("schema", path, "a schema must be an object or a boolean");
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN.contains(k) && !ANNOTATIONS.contains(k)) {
                throw unsupported(k, path, "the JSON Schema keyword '" + k + "' is not supported in structured output");
            }
        }
        if (s.has("$ref")) return ref(s.get("$ref").asText(), path);
        if (s.has("const")) return literal(s.get("const"));
        if (s.has("enum")) {
            List<Expr> options = new ArrayList<>();
            for (JsonNode v : s.get("enum")) options.add(literal(v));
            if (options.isEmpty()) throw unsupported("enum", path, "an empty enum allows no value");
            return Expr.alt(options);
        }
        if (s.has("anyOf")) return Expr.alt(branches(s.get("anyOf"), path + "/anyOf"));
        if (s.has("allOf")) {
            List<Expr> all = branches(s.get("allOf"), path + "/allOf");
            if (all.size() != 1) throw unsupported("allOf", path, "allOf with more than one schema is not supported");
            return all.getFirst();
        }
        JsonNode type = s.get("type");
        if (type == null) {
            if (s.has("properties") || s.has("additionalProperties")) return SchemaObjects.object(this, s, path);
            if (s.has("items") || s.has("prefixItems")) return SchemaObjects.array(this, s, path);
            return JsonGrammar.anyValue(named);
        }
        if (type.isTextual()) return typed(type.asText(), s, path);
        if (type.isArray()) {
            List<Expr> options = new ArrayList<>();
            for (JsonNode t : type) options.add(typed(t.asText(), s, path));
            return Expr.alt(options);
        }
        throw unsupported("type", path, "type must be a string or an array of strings");
    }

    private List<Expr> branches(JsonNode list, String path) {
        if (!list.isArray() || list.isEmpty()) throw unsupported(path.substring(path.lastIndexOf('/') + 1), path, "must be a non-empty array");
        List<Expr> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) out.add(schema(list.get(i), path + "/" + i));
        return out;
    }

    private Expr typed(String type, JsonNode s, String path) {
        return switch (type) {
            case "string" -> string(s, path);
            case "integer" -> integer(s, path);
            case "number" -> {
                for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
                    if (s.has(k)) throw unsupported(k, path, "'" + k + "' on numbers is not supported (on integers it is)");
                }
                yield JsonGrammar.number();
            }
            case "boolean" -> JsonGrammar.bool();
            case "null" -> JsonGrammar.nul();
            case "object" -> SchemaObjects.object(this, s, path);
            case "array" -> SchemaObjects.array(this, s, path);
            default -> throw unsupported("type", path, "unknown type '" + type + "'");
        };
    }

    private Expr string(JsonNode s, String path) {
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        if (max >= 0 && max < min) throw unsupported("maxLength", path, "maxLength is below minLength");
        if (s.has("format")) {
            String format = s.get("format").asText();
            String regex = FORMATS.get(format);
            if (regex == null) throw unsupported("format", path, "the string format '" + format + "' is not supported");
            if (s.has("pattern") || s.has("minLength") || s.has("maxLength")) {
                throw unsupported("format", path, "format together with pattern, minLength or maxLength is not supported");
            }
            return Expr.seq(Expr.literal("\""), RegexCompiler.compile(regex, RegexCompiler.Mode.JSON_STRING), Expr.literal("\""));
        }
        if (s.has("pattern")) {
            if (s.has("minLength") || s.has("maxLength")) {
                throw unsupported("pattern", path, "pattern together with minLength or maxLength is not supported");
            }
            return Expr.seq(Expr.literal("\""), RegexCompiler.pattern(s.get("pattern").asText()), Expr.literal("\""));
        }
        return JsonGrammar.string(min, max);
    }

    private Expr integer(JsonNode s, String path) {
        long lo = Long.MIN_VALUE;
        long hi = IntegerRange.UNBOUNDED;
        if (s.has("minimum")) lo = bound(s, "minimum", path, true);
        if (s.has("exclusiveMinimum")) lo = Math.max(lo, bound(s, "exclusiveMinimum", path, true) + 1);
        if (s.has("maximum")) hi = bound(s, "maximum", path, false);
        if (s.has("exclusiveMaximum")) hi = Math.min(hi, bound(s, "exclusiveMaximum", path, false) - 1);
        if (lo == Long.MIN_VALUE && hi == IntegerRange.UNBOUNDED) return JsonGrammar.integer();
        return IntegerRange.of(lo, hi);
    }

    private long bound(JsonNode s, String key, String path, boolean lower) {
        JsonNode v = s.get(key);
        if (!v.isNumber()) throw unsupported(key, path, key + " must be a number");
        double d = v.asDouble();
        if (Math.abs(d) > 1e15) throw unsupported(key, path, key + " beyond 1e15 is not supported");
        return (long) (lower ? Math.ceil(d) : Math.floor(d));
    }

    private Expr ref(String ref, String path) {
        if (!ref.startsWith("#")) throw unsupported("$ref", path, "only local $refs (#/...) are supported, got " + ref);
        String name = refNames.get(ref);
        if (name == null) {
            name = "ref:" + ref;
            refNames.put(ref, name);
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) throw unsupported("$ref", path, "$ref " + ref + " points nowhere");
            named.put(name, Expr.EMPTY); // placeholder while compiling a recursive definition
            named.put(name, schema(target, ref));
        }
        return new Expr.Ref(name);
    }

    /** A fixed JSON value ({@code const}, {@code enum} entries), written compactly. */
    private Expr literal(JsonNode v) {
        try {
            return Expr.literal(json.writeValueAsString(v));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- for SchemaObjects ----

    Expr child(JsonNode s, String path) {
        return schema(s, path);
    }

    /** A named rule holding {@code body}, referred to wherever it is used. */
    Expr define(String name, Expr body) {
        named.put(name, body);
        return new Expr.Ref(name);
    }

    Expr anyValue() {
        return JsonGrammar.anyValue(named);
    }

    String keyLiteral(String name) {
        try {
            return json.writeValueAsString(name);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static UnsupportedConstraintException unsupported(String keyword, String path, String message) {
        return new UnsupportedConstraintException(keyword, message + " (at " + path + ")");
    }
}
