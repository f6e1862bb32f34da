package dev.specd.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.constrain.GrammarState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model outputs per family: well-formed calls, several calls, content around them, malformed or
 * unknown calls (plain content), parsed whole and streamed in pieces of every size — both ways
 * must give the same content and calls.
 */
class ToolCallParserTest {

    static final Set<String> TOOLS = Set.of("get_weather", "add");

    /** format, output, expected content (null: none), expected calls as name + arguments. */
    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of(ToolFormat.HERMES, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
                        null, List.of("get_weather{\"city\":\"Paris\"}")),
                Arguments.of(ToolFormat.HERMES, "Let me look.\n<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>",
                        "Let me look.\n\n", List.of("add{\"a\":1,\"b\":2}", "get_weather{}")),
                Arguments.of(ToolFormat.HERMES, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>",
                        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>", List.of()),
                Arguments.of(ToolFormat.HERMES, "<tool_call>{\"name\": \"launch\", \"arguments\": {}}</tool_call>",
                        "<tool_call>{\"name\": \"launch\", \"arguments\": {}}</tool_call>", List.of()),
                Arguments.of(ToolFormat.HERMES, "No tools needed: 1 < 2 and <tool", "No tools needed: 1 < 2 and <tool", List.of()),
                Arguments.of(ToolFormat.HERMES, "<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 1}}", "<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 1}}", List.of()),
                Arguments.of(ToolFormat.LLAMA3, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}",
                        null, List.of("get_weather{\"city\":\"Rome\"}")),
                Arguments.of(ToolFormat.LLAMA3, "<|python_tag|>{\"name\": \"add\", \"parameters\": {\"a\": 2}}",
                        null, List.of("add{\"a\":2}")),
                Arguments.of(ToolFormat.LLAMA3, "It is sunny in Rome.", "It is sunny in Rome.", List.of()),
                Arguments.of(ToolFormat.LLAMA3, "{\"name\": \"add\", \"parameters\": [1, 2]}", "{\"name\": \"add\", \"parameters\": [1, 2]}", List.of()),
                Arguments.of(ToolFormat.MISTRAL, "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}, \"id\": \"abcdefghi\"}, {\"name\": \"add\", \"arguments\": \"{\\\"a\\\": 3}\"}]",
                        null, List.of("get_weather{\"city\":\"Oslo\"}", "add{\"a\":3}")),
                Arguments.of(ToolFormat.MISTRAL, "[{\"name\": \"add\", \"arguments\": {}}]", null, List.of("add{}")),
                Arguments.of(ToolFormat.MISTRAL, "[1, 2] are numbers", "[1, 2] are numbers", List.of()),
                Arguments.of(ToolFormat.MISTRAL, "Sure, here it is.", "Sure, here it is.", List.of()));
    }

    record Parsed(String content, List<String> calls, List<String> ids) {
    }

    static Parsed collect(List<ToolOutput> pieces) {
        StringBuilder content = new StringBuilder();
        List<String> calls = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (ToolOutput p : pieces) {
            switch (p) {
                case ToolOutput.Content c -> content.append(c.text());
                case ToolOutput.Call c -> {
                    calls.add(c.call().name() + c.call().arguments());
                    ids.add(c.call().id());
                }
            }
        }
        return new Parsed(content.isEmpty() ? null : content.toString(), calls, ids);
    }

    @ParameterizedTest
    @MethodSource("outputs")
    void wholeAndStreamedAgree(ToolFormat format, String output, String content, List<String> calls) {
        AtomicInteger n = new AtomicInteger();
        Parsed whole = collect(new ToolCallParser(format, TOOLS, () -> "id" + n.incrementAndGet()).parseAll(output));
        assertEquals(content, whole.content() == null || whole.content().isBlank() && content == null ? null
                : whole.content(), "content of " + output);
        assertEquals(calls, whole.calls());
        for (int size = 1; size <= 7; size++) {
            ToolCallParser p = new ToolCallParser(format, TOOLS, () -> "id" + n.incrementAndGet());
            List<ToolOutput> pieces = new ArrayList<>();
            for (int i = 0; i < output.length(); i += size) pieces.addAll(p.feed(output.substring(i, Math.min(output.length(), i + size))));
            pieces.addAll(p.finish());
            Parsed streamed = collect(pieces);
            assertEquals(whole.calls(), streamed.calls(), "pieces of " + size);
            assertEquals(whole.content(), streamed.content(), "pieces of " + size);
            assertEquals(calls.size(), p.calls());
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void forcedCallsParseAndValidate(ToolFormat format) throws Exception {
        ObjectMapper json = new ObjectMapper();
        var params = json.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":5}},\"required\":[\"city\"]}");
        var grammar = format.grammar(Map.of("get_weather", params), true);
        String call = switch (format) {
            case HERMES -> "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
            case LLAMA3 -> "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}";
            case MISTRAL -> "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]";
        };
        GrammarState s = grammar.start().advance(call.getBytes(StandardCharsets.UTF_8));
        assertNotNull(s, call);
        assertTrue(s.isComplete(), call);
        Parsed p = collect(new ToolCallParser(format, Set.of("get_weather"), () -> "x").parseAll(call));
        assertEquals(List.of("get_weather{\"city\":\"Paris\"}"), p.calls());
        // Another tool's name, or arguments outside the schema, are no sentence of the grammar.
        assertEquals(null, grammar.start().advance(call.replace("Paris", "London").getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, grammar.start().advance(call.replace("get_weather", "get_time").getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void parallelCallsAreAllowedOnlyWhenAsked(ToolFormat format) {
        var params = new ObjectMapper().createObjectNode().put("type", "object");
        String one = switch (format) {
            case HERMES -> "<tool_call>\n{\"name\": \"add\", \"arguments\": {}}\n</tool_call>";
            case LLAMA3 -> "{\"name\": \"add\", \"parameters\": {}}";
            case MISTRAL -> "[TOOL_CALLS][{\"name\": \"add\", \"arguments\": {}}";
        };
        String two = switch (format) {
            case HERMES -> one + "\n" + one;
            case LLAMA3 -> one + one;
            case MISTRAL -> one + ", {\"name\": \"add\", \"arguments\": {}}]";
        };
        if (format == ToolFormat.MISTRAL) one = one + "]";
        for (boolean parallel : new boolean[] {false, true}) {
            var g = format.grammar(Map.of("add", params), parallel);
            assertTrue(g.start().advance(one.getBytes(StandardCharsets.UTF_8)).isComplete(), one);
            GrammarState s = g.start().advance(two.getBytes(StandardCharsets.UTF_8));
            boolean twoAllowed = s != null && s.isComplete();
            assertEquals(parallel && format.allowsParallelCalls(), twoAllowed, format + " parallel=" + parallel);
        }
    }

    static Stream<ToolFormat> formats() {
        return Stream.of(ToolFormat.values());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void idsFollowTheFamily(ToolFormat format) {
        String id = format.ids().get();
        if (format == ToolFormat.MISTRAL) assertTrue(id.matches("[A-Za-z0-9]{9}"), id);
        else assertTrue(id.matches("call_[A-Za-z0-9]{24}"), id);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void familiesAreRecognisedFromTheirTemplates(String file, ToolFormat expected) throws Exception {
        assertEquals(expected, ToolFormat.of(java.nio.file.Files.readString(ChatTemplateTest.TEMPLATES.resolve(file))));
    }

    static Stream<Arguments> templates() {
        return Stream.of(Arguments.of("Qwen-Qwen2.5-7B-Instruct.jinja", ToolFormat.HERMES),
                Arguments.of("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", ToolFormat.HERMES),
                Arguments.of("meta-llama-Llama-3.1-8B-Instruct.jinja", ToolFormat.LLAMA3),
                Arguments.of("mistralai-Mistral-Nemo-Instruct-2407.jinja", ToolFormat.MISTRAL));
    }
}
