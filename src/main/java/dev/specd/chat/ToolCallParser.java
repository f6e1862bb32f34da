package dev.specd.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Finds tool calls in a model's output as it streams in, for one {@link ToolFormat}. Text that
 * cannot be part of a call is released as content at once; text that might start one is held
 * until it is known. A call whose JSON is malformed, names an unknown tool, or never ends is given
 * back as plain content, as llama.cpp's server does. One parser per choice; not thread-safe.
 * <ul>
 * <li>{@link ToolFormat#HERMES} (Qwen2.5, Hermes): {@code <tool_call>{"name":…,"arguments":…}</tool_call>}
 *     blocks anywhere in the text, content around them;</li>
 * <li>{@link ToolFormat#LLAMA3}: the whole answer is one {@code {"name":…,"parameters":…}} object
 *     (after {@code <|python_tag|>}, which renders as nothing when it is a special token);</li>
 * <li>{@link ToolFormat#MISTRAL}: the whole answer is {@code [TOOL_CALLS]} and a JSON array of calls
 *     (the marker too may render as nothing).</li>
 * </ul>
 */
public final class ToolCallParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPEN = "<tool_call>";
    private static final String CLOSE = "</tool_call>";

    private final ToolFormat format;
    private final Set<String> tools;
    private final Supplier<String> ids;
    private final StringBuilder pending = new StringBuilder();
    /** HERMES: inside a {@code <tool_call>} block. LLAMA3 / MISTRAL: the answer is a call, held whole. */
    private boolean inCall;
    /** LLAMA3 / MISTRAL: whether the answer's start was seen (and so the mode decided). */
    private boolean decided;
    private int calls;

    /**
     * @param tools the names of the request's functions; a call to any other is no call
     * @param ids   makes each call's id
     */
    public ToolCallParser(ToolFormat format, Set<String> tools, Supplier<String> ids) {
        this.format = format;
        this.tools = Set.copyOf(tools);
        this.ids = ids;
    }

    /** How many calls were released so far. */
    public int calls() {
        return calls;
    }

    /** The whole output at once (a non-streamed answer). */
    public List<ToolOutput> parseAll(String text) {
        List<ToolOutput> out = new ArrayList<>(feed(text));
        out.addAll(finish());
        return merge(out);
    }

    public List<ToolOutput> feed(String delta) {
        pending.append(delta);
        List<ToolOutput> out = new ArrayList<>();
        if (format == ToolFormat.HERMES) hermes(out);
        else whole(out);
        return out;
    }

    /** The end of the output: whatever is still held is a call, or content. */
    public List<ToolOutput> finish() {
        List<ToolOutput> out = new ArrayList<>();
        String rest = pending.toString();
        pending.setLength(0);
        if (format == ToolFormat.HERMES) {
            content(out, inCall ? OPEN + rest : rest);
        } else if (inCall) {
            List<ToolCall> parsed = format == ToolFormat.LLAMA3 ? llama(rest) : mistral(rest);
            if (parsed == null) content(out, rest);
            else for (ToolCall c : parsed) call(out, c);
        } else {
            content(out, rest);
        }
        return out;
    }

    private void hermes(List<ToolOutput> out) {
        while (true) {
            String text = pending.toString();
            if (!inCall) {
                int open = text.indexOf(OPEN);
                if (open < 0) {
                    int keep = partialSuffix(text, OPEN);
                    content(out, text.substring(0, text.length() - keep));
                    pending.delete(0, text.length() - keep);
                    return;
                }
                content(out, text.substring(0, open));
                pending.delete(0, open + OPEN.length());
                inCall = true;
            } else {
                int close = text.indexOf(CLOSE);
                if (close < 0) return;
                String body = text.substring(0, close);
                pending.delete(0, close + CLOSE.length());
                inCall = false;
                ToolCall c = object(body, "arguments");
                if (c == null) content(out, OPEN + body + CLOSE);
                else call(out, c);
            }
        }
    }

    /** LLAMA3 / MISTRAL: the answer is a call if it starts like one; then all of it is held. */
    private void whole(List<ToolOutput> out) {
        if (decided) {
            if (!inCall) {
                content(out, pending.toString());
                pending.setLength(0);
            }
            return;
        }
        String start = pending.toString().stripLeading();
        if (start.isEmpty()) return;
        List<String> markers = format == ToolFormat.LLAMA3 ? List.of("<|python_tag|>", "{") : List.of("[TOOL_CALLS]", "[");
        for (String m : markers) {
            if (start.startsWith(m)) {
                decided = true;
                inCall = true;
                return;
            }
            if (m.startsWith(start)) return; // could still become the marker
        }
        decided = true;
        whole(out);
    }

    private List<ToolCall> llama(String text) {
        String t = text.strip();
        if (t.startsWith("<|python_tag|>")) t = t.substring("<|python_tag|>".length()).strip();
        ToolCall c = object(t, "parameters");
        if (c == null) c = object(t, "arguments");
        return c == null ? null : List.of(c);
    }

    private List<ToolCall> mistral(String text) {
        String t = text.strip();
        if (t.startsWith("[TOOL_CALLS]")) t = t.substring("[TOOL_CALLS]".length()).strip();
        try {
            JsonNode array = JSON.readTree(t);
            if (array == null || !array.isArray() || array.isEmpty()) return null;
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode n : array) {
                ToolCall c = call(n, "arguments");
                if (c == null) return null;
                calls.add(c);
            }
            return calls;
        } catch (Exception e) {
            return null;
        }
    }

    /** A call from a JSON object text with "name" and the arguments under {@code argumentsKey}; null if it is none. */
    private ToolCall object(String text, String argumentsKey) {
        try {
            return call(JSON.readTree(text.strip()), argumentsKey);
        } catch (Exception e) {
            return null;
        }
    }

    private ToolCall call(JsonNode n, String argumentsKey) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (n == null || !n.isObject() || !n.path("name").isTextual() || !tools.contains(n.get("name").asText())) return null;
        JsonNode args = n.get(argumentsKey);
        if (args == null) return null;
        if (args.isTextual()) args = JSON.readTree(args.asText()); // some models write the arguments as a string
        if (args == null || !args.isObject()) return null;
        return new ToolCall(ids.get(), n.get("name").asText(), JSON.writeValueAsString(args));
    }

    private void call(List<ToolOutput> out, ToolCall c) {
        calls++;
        out.add(new ToolOutput.Call(c));
    }

    private static void content(List<ToolOutput> out, String text) {
        if (!text.isEmpty()) out.add(new ToolOutput.Content(text));
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code marker}. */
    private static int partialSuffix(String text, String marker) {
        for (int n = Math.min(text.length(), marker.length() - 1); n > 0; n--) {
            if (marker.startsWith(text.substring(text.length() - n))) return n;
        }
        return 0;
    }

    /** Joins adjacent content pieces (a whole answer has one content text). */
    private static List<ToolOutput> merge(List<ToolOutput> pieces) {
        List<ToolOutput> out = new ArrayList<>();
        for (ToolOutput p : pieces) {
            if (p instanceof ToolOutput.Content c && !out.isEmpty() && out.getLast() instanceof ToolOutput.Content last) {
                out.set(out.size() - 1, new ToolOutput.Content(last.text() + c.text()));
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
