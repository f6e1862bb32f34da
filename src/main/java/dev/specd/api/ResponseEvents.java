package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.chat.ToolCall;
import dev.specd.chat.ToolCallParser;
import dev.specd.chat.ToolOutput;
import dev.specd.runtime.GenerationEvent;
import dev.specd.sched.SchedulerException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The event stream of one {@code /v1/responses} answer: {@code response.created},
 * {@code response.in_progress}, then per output item {@code response.output_item.added}, its
 * content ({@code response.content_part.added}, {@code response.output_text.delta} …
 * {@code .done}) or function-call arguments, {@code response.output_item.done}, and at last
 * {@code response.completed} (or {@code response.incomplete}) with the whole response.
 */
final class ResponseEvents {

    private final ObjectMapper json;
    private final ResponseObject response;
    private final EventQueue events;
    private final OutputStream out;
    private final ToolCallParser parser;
    private final ArrayNode output;
    private final StringBuilder text = new StringBuilder();
    private int sequence;
    private boolean messageOpen;

    ResponseEvents(ObjectMapper json, ResponseObject response, ResponseShape.Chat shape, EventQueue events, OutputStream out) {
        this.json = json;
        this.response = response;
        this.events = events;
        this.out = out;
        this.output = json.createArrayNode();
        this.parser = shape.tools() == null ? null
                : new ToolCallParser(shape.tools().format(), shape.tools().names(), shape.tools().format().ids());
    }

    void write(long timeoutMillis) throws IOException {
        try {
            send("response.created", json.createObjectNode().set("response", response.response(json.createArrayNode(), null, 0, 0)));
            send("response.in_progress", json.createObjectNode().set("response", response.response(json.createArrayNode(), null, 0, 0)));
            events.forEach((choice, event) -> {
                switch (event) {
                    case GenerationEvent.Text t -> {
                        if (!t.text().isEmpty()) outputs(parser == null ? List.of(new ToolOutput.Content(t.text())) : parser.feed(t.text()));
                    }
                    case GenerationEvent.Done d -> {
                        if (parser != null) outputs(parser.finish());
                        closeMessage();
                        String reason = d.reason().openAi();
                        ObjectNode r = response.response(output, reason, d.promptTokens(), d.completionTokens());
                        send("length".equals(reason) ? "response.incomplete" : "response.completed",
                                json.createObjectNode().set("response", r));
                    }
                }
            }, timeoutMillis);
        } catch (ApiException e) {
            events.cancel();
            send("error", json.createObjectNode().put("code", e.body().error().code()).put("message", e.getMessage()));
        } catch (InterruptedException e) {
            events.cancel();
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            events.cancel();
            throw e;
        } catch (RuntimeException e) {
            events.cancel();
            ApiException shown = e instanceof SchedulerException s ? ErrorMappers.scheduling(s)
                    : ApiException.generationFailed(String.valueOf(e.getMessage()));
            send("error", json.createObjectNode().put("code", shown.body().error().code()).put("message", shown.getMessage()));
        }
    }

    private void outputs(List<ToolOutput> pieces) throws IOException {
        for (ToolOutput o : pieces) {
            switch (o) {
                case ToolOutput.Content c -> delta(c.text());
                case ToolOutput.Call c -> call(c.call());
            }
        }
    }

    private void delta(String delta) throws IOException {
        if (!messageOpen) {
            messageOpen = true;
            send("response.output_item.added", item(response.message(null, "in_progress")));
            send("response.content_part.added", part().set("part", response.textPart("")));
        }
        text.append(delta);
        send("response.output_text.delta", part().put("delta", delta));
    }

    private void closeMessage() throws IOException {
        if (!messageOpen) return;
        messageOpen = false;
        send("response.output_text.done", part().put("text", text.toString()));
        send("response.content_part.done", part().set("part", response.textPart(text.toString())));
        ObjectNode done = response.message(text.toString(), "completed");
        send("response.output_item.done", item(done));
        output.add(done);
    }

    private void call(ToolCall c) throws IOException {
        closeMessage();
        ObjectNode item = response.functionCall(c.id(), c.name(), c.arguments());
        ObjectNode added = item.deepCopy().put("arguments", "").put("status", "in_progress");
        send("response.output_item.added", item(added));
        int index = output.size();
        send("response.function_call_arguments.delta", json.createObjectNode().put("item_id", item.get("id").asText())
                .put("output_index", index).put("delta", c.arguments()));
        send("response.function_call_arguments.done", json.createObjectNode().put("item_id", item.get("id").asText())
                .put("output_index", index).put("arguments", c.arguments()));
        send("response.output_item.done", item(item));
        output.add(item);
    }

    private ObjectNode item(ObjectNode item) {
        ObjectNode e = json.createObjectNode().put("output_index", output.size());
        e.set("item", item);
        return e;
    }

    private ObjectNode part() {
        return json.createObjectNode().put("item_id", response.messageId()).put("output_index", output.size())
                .put("content_index", 0);
    }

    private void send(String type, ObjectNode data) throws IOException {
        ObjectNode event = json.createObjectNode().put("type", type).put("sequence_number", sequence++);
        event.setAll(data);
        out.write(("event: " + type + "\ndata: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
