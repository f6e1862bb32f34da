package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;

/**
 * A minimal, stateless {@code POST /v1/responses} (the AI SDK's default endpoint): the request is
 * served as the chat request it amounts to ({@link ResponsesMapper}) and answered as a response
 * object — output items (a message with output_text, function_call items), status, usage — or as
 * the event stream {@code response.created}, {@code response.output_text.delta}, …,
 * {@code response.completed}. Nothing is stored ({@code "store": false} in every answer).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ResponsesResource {

    @Inject
    OpenAiResource chat;

    @Inject
    ObjectMapper json;

    @POST
    @Path("/responses")
    @Produces({MediaType.APPLICATION_JSON, "text/event-stream"})
    @RunOnVirtualThread
    public Response responses(JsonNode body, @Context RoutingContext http) {
        ObjectNode chatBody = ResponsesMapper.toChat(body);
        ChatCompletionRequest request;
        try {
            request = json.treeToValue(chatBody, ChatCompletionRequest.class);
        } catch (IOException e) {
            throw ApiException.invalid(null, "invalid request: " + e.getMessage());
        }
        OpenAiResource.ChatRun run = chat.prepareChat(request, "max_output_tokens", http);
        ResponseObject shape = new ResponseObject(json, body, run.engine().plan().id());
        EventQueue events = chat.submit(run.engine(), run.choices(), http);
        long timeout = OpenAiResource.eventTimeout(run.engine());
        if (Boolean.TRUE.equals(request.stream())) {
            StreamingOutput out = o -> new ResponseEvents(json, shape, run.shape(), events, o).write(timeout);
            return Response.ok(out, "text/event-stream").header("Cache-Control", "no-cache").build();
        }
        JsonNode c = json.valueToTree(OpenAiResource.whole(events, run.shape(), new ResponseShape.Head("", 0, ""), null,
                timeout));
        JsonNode message = c.at("/choices/0/message");
        ArrayNode output = json.createArrayNode();
        if (message.path("content").isTextual()) output.add(shape.message(message.get("content").asText(), "completed"));
        for (JsonNode call : message.path("tool_calls")) {
            output.add(shape.functionCall(call.path("id").asText(), call.at("/function/name").asText(),
                    call.at("/function/arguments").asText()));
        }
        return Response.ok(shape.response(output, c.at("/choices/0/finish_reason").asText(),
                c.at("/usage/prompt_tokens").asInt(), c.at("/usage/completion_tokens").asInt())).build();
    }
}
