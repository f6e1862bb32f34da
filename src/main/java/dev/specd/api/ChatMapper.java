package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.chat.ChatTemplate;
import dev.specd.chat.TemplateException;
import dev.specd.chat.ToolFormat;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.engine.ChatMessage;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.Vocab;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat request as a prompt and an output constraint: messages (tool calls and tool results
 * included) rendered by the model's own Jinja template, with the request's tools; the constraint
 * from {@code tool_choice} (a forced call) or {@code response_format}; and, when the answer may
 * call tools, how to find the calls in it. A model without a template falls back to llama.cpp's
 * built-in formats, which know no tools.
 */
final class ChatMapper {

    private static final Logger LOG = Logger.getLogger(ChatMapper.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /** How to read tool calls out of the answer: the family's layout and the functions it may call. */
    record Tools(ToolFormat format, Set<String> names) {
    }

    /** @param tools null when the answer is plain text (no tools, or {@code tool_choice: "none"}) */
    record Prepared(int[] prompt, TokenConstraint constraint, Tools tools) {
    }

    private ChatMapper() {
    }

    /** @param budget sizes and tokenises the rendered prompt (bounded in bytes and time) */
    static Prepared prepare(ChatCompletionRequest r, ModelBackend model, TemplateRegistry templates,
                            Constraints constraints, PromptBudget budget) {
        if (r.functions() != null) throw ApiException.unsupported("functions", "functions is deprecated: use tools");
        if (r.functionCall() != null) throw ApiException.unsupported("function_call", "function_call is deprecated: use tool_choice");
        Map<String, JsonNode> functions = functions(r.tools());
        String choice = toolChoice(r.toolChoice(), functions);
        Optional<ChatTemplate> template = templates.of(model);
        if (!functions.isEmpty() && (template.isEmpty() || !template.get().supportsTools())) {
            throw ApiException.unsupported("tools", "this model's chat template cannot express tools"
                    + (template.isEmpty() ? " (the model has no chat template)" : ""));
        }
        String text = render(r, model, template, functions.isEmpty() ? null : r.tools());
        Vocab vocab = model.vocab();
        // A template that writes BOS itself must not get a second one from the tokenizer.
        boolean bosInText = vocab.bos() >= 0 && !vocab.tokenText(vocab.bos()).isEmpty()
                && text.startsWith(vocab.tokenText(vocab.bos()));
        int[] prompt = budget.tokenize(text, "messages", !bosInText);
        TokenConstraint guided = GuidedMapper.constraint(r, constraints);
        Tools tools = null;
        TokenConstraint constraint = guided;
        if (!functions.isEmpty() && !choice.equals("none")) {
            ToolFormat format = ToolFormat.of(template.orElseThrow().source());
            tools = new Tools(format, functions.keySet());
            if (!choice.equals("auto")) {
                if (guided != null) {
                    throw ApiException.unsupported("response_format", "response_format cannot be combined with a forced "
                            + "tool call (tool_choice '" + choice + "')");
                }
                Map<String, JsonNode> forced = choice.equals("required") ? functions : Map.of(choice, functions.get(choice));
                boolean parallel = !Boolean.FALSE.equals(r.parallelToolCalls());
                constraint = GuidedMapper.compile("tools", () -> constraints.custom(format + ":" + forced + ":" + parallel,
                        "a " + format + " tool call", () -> format.grammar(forced, parallel)));
            } else if (guided != null) {
                throw ApiException.unsupported("response_format", "response_format cannot be combined with tools "
                        + "unless tool_choice is 'none': the answer could not be both a tool call and that format");
            }
        }
        return new Prepared(prompt, constraint, tools);
    }

    /** The request's functions by name, checked; empty without tools. */
    private static Map<String, JsonNode> functions(List<JsonNode> tools) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (tools == null) return out;
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String p = "tools[" + i + "]";
            if (t == null || !t.isObject()) throw ApiException.invalid(p, p + " must be an object");
            if (!"function".equals(t.path("type").asText())) {
                throw ApiException.unsupported(p + ".type", p + ".type must be 'function' (the only tool type served)");
            }
            JsonNode f = t.get("function");
            if (f == null || !f.isObject()) throw ApiException.invalid(p + ".function", p + ".function must be an object");
            String name = f.path("name").asText("");
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw ApiException.invalid(p + ".function.name", p + ".function.name must match [a-zA-Z0-9_-]{1,64}");
            }
            if (out.containsKey(name)) throw ApiException.invalid(p + ".function.name", "duplicate function name '" + name + "'");
            JsonNode params = f.get("parameters");
            if (params != null && !params.isObject()) {
                throw ApiException.invalid(p + ".function.parameters", p + ".function.parameters must be a JSON schema object");
            }
            out.put(name, params);
        }
        return out;
    }

    /** "none", "auto", "required" or a function's name. */
    private static String toolChoice(JsonNode c, Map<String, JsonNode> functions) {
        if (c == null || c.isNull()) return functions.isEmpty() ? "none" : "auto";
        // Clients send "auto" with no tools (langchain4j does): nothing to choose from, so nothing to force.
        if (functions.isEmpty() && c.isTextual() && Set.of("none", "auto").contains(c.asText())) return "none";
        if (functions.isEmpty()) throw ApiException.invalid("tool_choice", "tool_choice '" + c + "' needs tools");
        if (c.isTextual() && Set.of("none", "auto", "required").contains(c.asText())) return c.asText();
        if (c.isObject() && "function".equals(c.path("type").asText()) && c.path("function").path("name").isTextual()) {
            String name = c.get("function").get("name").asText();
            if (!functions.containsKey(name)) {
                throw ApiException.invalid("tool_choice", "tool_choice names function '" + name + "', which is not among the tools");
            }
            return name;
        }
        throw ApiException.invalid("tool_choice",
                "tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }

    private static String render(ChatCompletionRequest r, ModelBackend model, Optional<ChatTemplate> template,
                                 List<JsonNode> tools) {
        if (template.isEmpty()) return model.applyChatTemplate(plainMessages(r), true);
        List<Map<String, Object>> messages = templateMessages(r.messages());
        List<Map<String, Object>> toolMaps = tools == null ? null : tools.stream()
                .map(t -> JSON.convertValue(t, JsonMaps.MAP)).toList();
        try {
            return template.get().render(messages, toolMaps, true);
        } catch (TemplateException e) {
            throw ApiException.invalid(e.param(), "the model's chat template refused the conversation: " + e.getMessage());
        } catch (IllegalStateException e) {
            // A template Jinjava cannot run: llama.cpp's built-in formats still serve plain chat.
            if (tools != null) throw ApiException.unsupported("tools", "the model's chat template could not be rendered: "
                    + e.getMessage());
            LOG.warnf("chat template of %s could not be rendered (%s); using llama.cpp's built-in template",
                    model.info().file(), e.getMessage());
            return model.applyChatTemplate(plainMessages(r), true);
        }
    }

    private static List<ChatMessage> plainMessages(ChatCompletionRequest r) {
        for (int i = 0; i < r.messages().size(); i++) {
            ChatCompletionRequest.Message m = r.messages().get(i);
            if (m != null && (m.toolCalls() != null || "tool".equals(m.role()))) {
                throw ApiException.unsupported("messages[" + i + "]", "this model has no chat template to express tool "
                        + "calls and results with");
            }
        }
        return RequestMapper.messages(r.messages());
    }

    /** The messages as the template sees them: role, content, and tool calls with their arguments as objects. */
    private static List<Map<String, Object>> templateMessages(List<ChatCompletionRequest.Message> messages) {
        List<ChatMessage> checked = RequestMapper.messages(messages); // roles and contents, with 400s naming them
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", checked.get(i).content());
            if (m.name() != null) map.put("name", m.name());
            if (m.toolCallId() != null) map.put("tool_call_id", m.toolCallId());
            if (m.toolCalls() != null) map.put("tool_calls", toolCalls(m.toolCalls(), "messages[" + i + "].tool_calls"));
            out.add(map);
        }
        return out;
    }

    private static List<Map<String, Object>> toolCalls(List<JsonNode> calls, String param) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            JsonNode c = calls.get(j);
            JsonNode f = c == null ? null : c.get("function");
            if (f == null || !f.path("name").isTextual()) {
                throw ApiException.invalid(param + "[" + j + "]", param + "[" + j + "] needs function.name");
            }
            Map<String, Object> call = new LinkedHashMap<>();
            if (c.has("id")) call.put("id", c.get("id").asText());
            call.put("type", "function");
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", f.get("name").asText());
            // OpenAI sends arguments as a JSON text; templates write them with tojson, so they want the object.
            JsonNode args = f.get("arguments");
            Object value = args == null ? Map.of() : args.isTextual() ? JsonMaps.parseOrText(args.asText()) : JSON.convertValue(args, Object.class);
            function.put("arguments", value);
            call.put("function", function);
            out.add(call);
        }
        return out;
    }
}
