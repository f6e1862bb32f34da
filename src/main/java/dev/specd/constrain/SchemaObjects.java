package dev.specd.constrain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Objects and arrays of {@link JsonSchemaCompiler}. */
final class SchemaObjects {

    private SchemaObjects() {
    }

    private static Expr sep() {
        return JsonGrammar.comma();
    }

    private record Property(String name, Expr member, boolean required) {
    }

    /**
     * The properties in schema order, each optional one skippable. The rule after property i
     * depends on whether a comma must come before the next one written, so the grammar is the
     * chain R(i, comma) = [,] member_i R(i+1, true) | R(i+1, comma) (second branch for optional
     * properties only); sharing both R(i+1, ·) keeps it linear in the number of properties.
     */
    static Expr object(JsonSchemaCompiler c, JsonNode s, String path) {
        JsonNode props = s.path("properties");
        if (!props.isMissingNode() && !props.isObject()) throw JsonSchemaCompiler.unsupported("properties", path, "properties must be an object");
        Set<String> required = new HashSet<>();
        for (JsonNode r : s.path("required")) required.add(r.asText());
        List<Property> list = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            var e = it.next();
            Expr value = c.child(e.getValue(), path + "/properties/" + e.getKey());
            Expr member = Expr.seq(Expr.literal(c.keyLiteral(e.getKey())), JsonGrammar.colon(), value);
            list.add(new Property(e.getKey(), member, required.contains(e.getKey())));
            names.add(e.getKey());
        }
        for (String r : required) {
            if (!names.contains(r)) {
                throw JsonSchemaCompiler.unsupported("required", path, "required property '" + r + "' is not among the properties");
            }
        }
        JsonNode ap = s.get("additionalProperties");
        Expr extraValue;
        if (ap == null) extraValue = list.isEmpty() ? c.anyValue() : null;
        else if (ap.isBoolean()) extraValue = ap.asBoolean() ? c.anyValue() : null;
        else extraValue = c.child(ap, path + "/additionalProperties");
        Expr extras = null;
        if (extraValue != null) {
            Expr key = list.isEmpty() ? JsonGrammar.string(0, -1) : JsonGrammar.keyNotIn(names);
            extras = Expr.seq(key, JsonGrammar.colon(), extraValue);
        }
        // Build the chain from the end: rest[comma] is R(i, comma) for the current i.
        Expr[] rest = new Expr[2];
        if (extras == null) {
            rest[0] = Expr.EMPTY;
            rest[1] = Expr.EMPTY;
        } else {
            Expr more = Expr.star(Expr.seq(sep(), extras));
            rest[1] = more;
            rest[0] = Expr.optional(Expr.seq(extras, more));
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            Property p = list.get(i);
            Expr[] next = new Expr[2];
            for (int comma = 0; comma < 2; comma++) {
                Expr write = Expr.seq(comma == 1 ? sep() : Expr.EMPTY, p.member(), rest[1]);
                next[comma] = p.required() ? write : Expr.alt(write, rest[comma]);
            }
            // Shared sub-chains become rules once, so both branches refer to them.
            rest = new Expr[] {shared(c, path, i, 0, next[0]), shared(c, path, i, 1, next[1])};
        }
        return Expr.seq(Expr.literal("{"), JsonGrammar.ws(), rest[0], JsonGrammar.ws(), Expr.literal("}"));
    }

    private static Expr shared(JsonSchemaCompiler c, String path, int i, int comma, Expr body) {
        return c.define("props:" + path + ":" + i + ":" + comma, body);
    }

    static Expr array(JsonSchemaCompiler c, JsonNode s, String path) {
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : -1;
        if (max >= 0 && max < min) throw JsonSchemaCompiler.unsupported("maxItems", path, "maxItems is below minItems");
        List<Expr> prefix = new ArrayList<>();
        JsonNode prefixItems = s.get("prefixItems");
        if (prefixItems != null) {
            for (int i = 0; i < prefixItems.size(); i++) prefix.add(c.child(prefixItems.get(i), path + "/prefixItems/" + i));
        }
        JsonNode items = s.get("items");
        Expr item;
        if (items == null) item = prefix.isEmpty() ? c.anyValue() : null;
        else if (items.isBoolean() && !items.asBoolean()) item = null;
        else item = c.child(items, path + "/items");
        int p = prefix.size();
        if (max >= 0 && max < p) throw JsonSchemaCompiler.unsupported("maxItems", path, "maxItems is below the number of prefixItems");
        if (item == null && min > p) throw JsonSchemaCompiler.unsupported("minItems", path, "minItems exceeds the items allowed");
        Expr body;
        if (p == 0) {
            if (max == 0) body = Expr.EMPTY;
            else {
                Expr more = Expr.repeat(Expr.seq(sep(), item), Math.max(0, min - 1), max < 0 ? -1 : max - 1);
                Expr some = Expr.seq(item, more);
                body = min == 0 ? Expr.optional(some) : some;
            }
        } else {
            List<Expr> seq = new ArrayList<>();
            for (int i = 0; i < p; i++) seq.add(i == 0 ? prefix.get(i) : Expr.seq(sep(), prefix.get(i)));
            if (item != null) {
                seq.add(Expr.repeat(Expr.seq(sep(), item), Math.max(0, min - p), max < 0 ? -1 : max - p));
            }
            body = new Expr.Seq(seq);
        }
        return Expr.seq(Expr.literal("["), JsonGrammar.ws(), body, JsonGrammar.ws(), Expr.literal("]"));
    }
}
