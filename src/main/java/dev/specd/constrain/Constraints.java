package dev.specd.constrain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the constraints one model's requests ask for, and keeps the most recently used ones: a
 * compiled grammar and its cache of token masks are worth keeping across requests that repeat a
 * schema (an application's structured-output calls all send the same one). Thread-safe.
 */
public final class Constraints {

    private static final int MAX_CACHED = 64;

    private final TokenSpace tokens;
    private final Map<String, TokenConstraint> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenConstraint> eldest) {
            return size() > MAX_CACHED;
        }
    };

    public Constraints(TokenSpace tokens) {
        this.tokens = tokens;
    }

    public TokenSpace tokens() {
        return tokens;
    }

    /** Any JSON object ({@code response_format: {"type": "json_object"}}). */
    public TokenConstraint jsonObject() {
        return cached("json_object", "json_object", JsonSchemaCompiler::anyObject);
    }

    /** JSON valid against {@code schema}; fails with {@link UnsupportedConstraintException} for what it cannot enforce. */
    public TokenConstraint jsonSchema(JsonNode schema, String name) {
        return cached("json_schema:" + schema, "json_schema '" + name + "'", () -> JsonSchemaCompiler.compile(schema));
    }

    /** Text matching {@code regex} as a whole (vLLM's {@code guided_regex}). */
    public TokenConstraint regex(String regex) {
        return cached("regex:" + regex, "regex /" + regex + "/",
                () -> Grammar.compile(RegexCompiler.compile(regex, RegexCompiler.Mode.RAW)));
    }

    /** Exactly one of {@code choices} (vLLM's {@code guided_choice}). */
    public TokenConstraint choice(List<String> choices) {
        if (choices.isEmpty()) throw new UnsupportedConstraintException("guided_choice", "guided_choice must not be empty");
        return cached("choice:" + choices, "one of " + choices, () -> {
            List<Expr> options = new ArrayList<>();
            for (String c : choices) {
                if (c.isEmpty()) throw new UnsupportedConstraintException("guided_choice", "a choice must not be empty");
                options.add(Expr.literal(c));
            }
            return Grammar.compile(Expr.alt(options));
        });
    }

    /** A grammar built by another compiler (tool calls), under a key that identifies it. */
    public TokenConstraint custom(String key, String description, Supplier<Grammar> grammar) {
        return cached("custom:" + key, description, grammar);
    }

    private TokenConstraint cached(String key, String description, Supplier<Grammar> grammar) {
        synchronized (cache) {
            TokenConstraint c = cache.get(key);
            if (c != null) return c;
        }
        TokenConstraint built = new TokenConstraint(grammar.get(), tokens, description);
        synchronized (cache) {
            return cache.computeIfAbsent(key, k -> built);
        }
    }
}
