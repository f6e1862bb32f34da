package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * A {@code /v1/responses} request as the chat request it amounts to: {@code instructions} become
 * the system message, {@code input} (a string, or message / function_call / function_call_output
 * items) the conversation, {@code text.format} the response format, function tools the tools.
 * Stateless: {@code previous_response_id} and everything else that needs stored responses or
 * server-side tools is a 400 naming it.
 */
final class ResponsesMapper {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> REFUSED = Set.of("previous_response_id", "conversation", "reasoning", "prompt",
            "background", "include", "truncation", "max_tool_calls", "prompt_cache_key", "safety_identifier",
            "service_tier", "top_logprobs");
    private static final Set<String> PASSED = Set.of("model", "temperature", "top_p", "seed", "stream", "user",
            "parallel_tool_calls");

    private ResponsesMapper() {
    }

    static ObjectNode toChat(JsonNode r) {
        if (r == null || !r.isObject()) throw ApiException.invalid(null, "the request body must be a JSON object");
        for (String f : REFUSED) {
            JsonNode v = r.get(f);
            if (v == null || v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isArray() && v.isEmpty())) continue;
            throw ApiException.unsupported(f, f + " is not supported: this server keeps no responses and runs no "
                    + "server-side tools or reasoning");
        }
        ObjectNode chat = F.objectNode();
        for (String f : PASSED) if (r.has(f)) chat.set(f, r.get(f));
        if (r.has("max_output_tokens")) chat.set("max_tokens", r.get("max_output_tokens"));
        ArrayNode messages = chat.putArray("messages");
        if (r.path("instructions").isTextual()) messages.addObject().put("role", "system").put("content", r.get("instructions").asText());
        input(r.get("input"), messages);
        JsonNode format = r.path("text").path("format");
        if (!format.isMissingNode()) chat.set("response_format", responseFormat(format));
        if (r.has("tools")) chat.set("tools", tools(r.get("tools")));
        JsonNode choice = r.get("tool_choice");
        if (choice != null && choice.isObject() && "function".equals(choice.path("type").asText())) {
            ObjectNode c = chat.putObject("tool_choice").put("type", "function");
            c.putObject("function").put("name", choice.path("name").asText());
        } else if (choice != null) {
            chat.set("tool_choice", choice);
        }
        return chat;
    }

    private static void input(JsonNode input, ArrayNode messages) {
        if (input == null || input.isNull()) throw ApiException.invalid("input", "input is required");
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return;
        }
        if (!input.isArray()) throw ApiException.invalid("input", "input must be a string or an array of items");
        ObjectNode calls = null; // consecutive function calls belong to one assistant message
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String p = "input[" + i + "]";
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    calls = null;
                    messages.addObject().put("role", item.path("role").asText()).put("content", text(item.get("content"), p));
                }
                case "function_call" -> {
                    if (calls == null) {
                        calls = messages.addObject().put("role", "assistant");
                        calls.putNull("content");
                        calls.putArray("tool_calls");
                    }
                    ObjectNode call = ((ArrayNode) calls.get("tool_calls")).addObject()
                            .put("id", item.path("call_id").asText()).put("type", "function");
                    call.putObject("function").put("name", item.path("name").asText())
                            .put("arguments", item.path("arguments").asText("{}"));
                }
                case "function_call_output" -> {
                    calls = null;
                    JsonNode out = item.get("output");
                    messages.addObject().put("role", "tool").put("tool_call_id", item.path("call_id").asText())
                            .put("content", out == null ? "" : out.isTextual() ? out.asText() : out.toString());
                }
                default -> throw ApiException.unsupported(p + ".type", "input items of type '" + type
                        + "' are not supported (message, function_call and function_call_output are)");
            }
        }
    }

    private static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            String t = part.path("type").asText();
            if (!Set.of("input_text", "output_text", "text").contains(t)) {
                throw ApiException.unsupported(param + ".content", "content parts of type '" + t + "' are not supported");
            }
            out.append(part.path("text").asText());
        }
        return out.toString();
    }

    private static JsonNode responseFormat(JsonNode f) {
        if (!"json_schema".equals(f.path("type").asText())) return f;
        ObjectNode rf = F.objectNode().put("type", "json_schema");
        ObjectNode js = rf.putObject("json_schema");
        for (String k : new String[] {"name", "schema", "strict", "description"}) if (f.has(k)) js.set(k, f.get(k));
        return rf;
    }

    private static JsonNode tools(JsonNode tools) {
        ArrayNode out = F.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            if (!"function".equals(t.path("type").asText())) {
                throw ApiException.unsupported("tools[" + i + "].type", "only function tools are supported, got '"
                        + t.path("type").asText() + "'");
            }
            ObjectNode f = out.addObject().put("type", "function").putObject("function");
            for (String k : new String[] {"name", "description", "parameters"}) if (t.has(k)) f.set(k, t.get(k));
        }
        return out;
    }
}
