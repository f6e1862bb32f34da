package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The objects of one {@code /v1/responses} answer: the response, its output items, as OpenAI shapes them. */
final class ResponseObject {

    private final ObjectMapper json;
    private final JsonNode request;
    private final String model;
    private final String id = ResponseShape.randomId("resp_");
    private final long created = System.currentTimeMillis() / 1000;
    private final String messageId = ResponseShape.randomId("msg_");

    ResponseObject(ObjectMapper json, JsonNode request, String model) {
        this.json = json;
        this.request = request;
        this.model = model;
    }

    String messageId() {
        return messageId;
    }

    ObjectNode message(String text, String status) {
        ObjectNode m = json.createObjectNode().put("type", "message").put("id", messageId).put("status", status)
                .put("role", "assistant");
        ArrayNode content = m.putArray("content");
        if (text != null) content.add(textPart(text));
        return m;
    }

    ObjectNode textPart(String text) {
        ObjectNode part = json.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    ObjectNode functionCall(String callId, String name, String arguments) {
        return json.createObjectNode().put("type", "function_call").put("id", "fc_" + callId).put("call_id", callId)
                .put("name", name).put("arguments", arguments).put("status", "completed");
    }

    /** The response; {@code finishReason} null while in progress. */
    ObjectNode response(ArrayNode output, String finishReason, int inputTokens, int outputTokens) {
        ObjectNode r = json.createObjectNode().put("id", id).put("object", "response").put("created_at", created)
                .put("model", model);
        boolean done = finishReason != null;
        boolean cut = "length".equals(finishReason);
        r.put("status", !done ? "in_progress" : cut ? "incomplete" : "completed");
        if (cut) r.putObject("incomplete_details").put("reason", "max_output_tokens");
        else r.putNull("incomplete_details");
        r.putNull("error");
        r.set("output", output);
        r.set("instructions", request.path("instructions").isTextual() ? request.get("instructions") : json.nullNode());
        r.set("max_output_tokens", request.has("max_output_tokens") ? request.get("max_output_tokens") : json.nullNode());
        r.put("parallel_tool_calls", !request.path("parallel_tool_calls").isBoolean() || request.get("parallel_tool_calls").asBoolean());
        r.put("temperature", request.path("temperature").asDouble(1.0));
        r.put("top_p", request.path("top_p").asDouble(1.0));
        r.set("tool_choice", request.has("tool_choice") ? request.get("tool_choice") : json.getNodeFactory().textNode("auto"));
        r.set("tools", request.has("tools") ? request.get("tools") : json.createArrayNode());
        ObjectNode text = r.putObject("text");
        text.set("format", request.path("text").has("format") ? request.get("text").get("format")
                : json.createObjectNode().put("type", "text"));
        r.put("store", false);
        r.set("metadata", request.path("metadata").isObject() ? request.get("metadata") : json.createObjectNode());
        if (done) {
            ObjectNode usage = r.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                    .put("total_tokens", inputTokens + outputTokens);
            usage.putObject("input_tokens_details").put("cached_tokens", 0);
            usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        } else {
            r.putNull("usage");
        }
        return r;
    }
}
