package dev.specd.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.constrain.Expr;
import dev.specd.constrain.Grammar;
import dev.specd.constrain.JsonSchemaCompiler;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How a model family writes tool calls, recognised from its chat template, and the grammar that
 * forces a well-formed call ({@code tool_choice: "required"} or a named function) in exactly the
 * layout the template shows the model: even a model that would never call a tool on its own
 * then writes a call whose arguments validate against the function's parameters.
 */
public enum ToolFormat {
    /** Qwen2.5, Hermes 2/3 and other ChatML models: {@code <tool_call>\n{json}\n</tool_call>}. */
    HERMES,
    /** Llama 3.1 / 3.2: one {@code {"name": …, "parameters": …}} object as the whole answer. */
    LLAMA3,
    /** Mistral: {@code [TOOL_CALLS][{"name": …, "arguments": …, "id": …}]}, ids of 9 letters and digits. */
    MISTRAL;

    /** Most calls one answer may hold when parallel calls are allowed (bounds a forced answer). */
    public static final int MAX_PARALLEL_CALLS = 4;

    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** The family of a template that supports tools; ChatML's {@code <tool_call>} when it shows none of the others. */
    public static ToolFormat of(String template) {
        if (template.contains("[TOOL_CALLS]")) return MISTRAL;
        if (template.contains("<tool_call>")) return HERMES;
        if (template.contains("<|python_tag|>") || template.contains("\"parameters\": ")) return LLAMA3;
        return HERMES;
    }

    /** Whether one answer may hold several calls in this layout (Llama 3.1's template refuses more than one). */
    public boolean allowsParallelCalls() {
        return this != LLAMA3;
    }

    /** Call ids: Mistral's templates insist on 9 letters and digits; others get OpenAI's {@code call_} form. */
    public Supplier<String> ids() {
        SecureRandom random = new SecureRandom();
        return () -> {
            StringBuilder id = new StringBuilder(this == MISTRAL ? "" : "call_");
            for (int i = 0; i < (this == MISTRAL ? 9 : 24); i++) id.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
            return id.toString();
        };
    }

    /**
     * The grammar of an answer made of calls to the given functions.
     *
     * @param functions name to its parameters schema (null: any object)
     * @param parallel  whether the answer may hold several calls
     */
    public Grammar grammar(Map<String, JsonNode> functions, boolean parallel) {
        Map<String, Expr> named = new LinkedHashMap<>();
        Expr call = call(functions, named);
        int max = parallel && allowsParallelCalls() ? MAX_PARALLEL_CALLS : 1;
        Expr answer = switch (this) {
            case HERMES -> Expr.seq(call, Expr.repeat(Expr.seq(Expr.literal("\n"), call), 0, max - 1));
            case LLAMA3 -> call;
            case MISTRAL -> Expr.seq(Expr.literal("[TOOL_CALLS]["), call,
                    Expr.repeat(Expr.seq(Expr.literal(", "), call), 0, max - 1), Expr.literal("]"));
        };
        return Grammar.compile(answer, named);
    }

    /** One call to any of the functions, as the family writes it. */
    private Expr call(Map<String, JsonNode> functions, Map<String, Expr> named) {
        List<Expr> options = new ArrayList<>();
        int i = 0;
        for (var f : functions.entrySet()) {
            ObjectNode schema = JsonNodeFactory.instance.objectNode();
            schema.put("type", "object");
            ObjectNode props = schema.putObject("properties");
            props.putObject("name").put("const", f.getKey());
            JsonNode params = f.getValue() == null ? JsonNodeFactory.instance.objectNode().put("type", "object") : f.getValue();
            props.set(this == LLAMA3 ? "parameters" : "arguments", params);
            schema.putArray("required").add("name").add(this == LLAMA3 ? "parameters" : "arguments");
            schema.put("additionalProperties", false);
            // The parameters' own definitions must resolve from the call's schema, the root of the refs.
            for (String defs : List.of("$defs", "definitions")) if (params.has(defs)) schema.set(defs, params.get(defs));
            Expr object = JsonSchemaCompiler.embed(schema, named, "tool" + (i++) + ":");
            options.add(this == HERMES ? Expr.seq(Expr.literal("<tool_call>\n"), object, Expr.literal("\n</tool_call>")) : object);
        }
        return Expr.alt(options);
    }
}
