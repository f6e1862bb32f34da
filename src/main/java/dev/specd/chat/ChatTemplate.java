package dev.specd.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's own Jinja chat template ({@code tokenizer.chat_template}), rendered as Hugging Face's
 * transformers renders it: {@code trim_blocks} and {@code lstrip_blocks} on, {@code bos_token} and
 * {@code eos_token} set, {@code tojson} as Python's {@code json.dumps}, and the helpers templates
 * call ({@code raise_exception}, {@code strftime_now}). Messages and tools are plain maps and
 * lists, as the OpenAI request carries them (tool-call arguments parsed into objects, as the
 * templates expect). Thread-safe.
 */
public final class ChatTemplate {

    private final String source;
    private final String original;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinja;

    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.original = source;
        this.source = JinjaCompat.rewrite(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        // Jinjava's defaults keep HubSpot's old behaviour; these make it follow Jinja2 as
        // transformers uses it: operator precedence ('not x is defined'), whitespace control on
        // expressions ('{{-'), 'for k, v in mapping' over entries, none-valued loop items kept.
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder().withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true).withUseTrimmingForNotesAndExpressions(true)
                .withAllowAdjacentTextNodes(true).withKeepNullableLoopValues(true).withEvaluateMapKeys(true)
                .withIterateOverMapKeys(true).withUsePyishObjectMapper(true).build();
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withLegacyOverrides(jinja2).withMaxOutputSize(8L << 20).build();
        this.jinja = new Jinjava(config);
        jinja.getGlobalContext().registerFilter(new ToJson());
        jinja.getGlobalContext().registerFilter(new Items());
        jinja.getGlobalContext().registerExpTest(new Iterable());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", JinjaCompat.ITEM_FUNCTION,
                ChatTemplate.class, "item", Object.class, long.class));
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
    }

    /** The template's text as the model stores it (family detection reads it). */
    public String source() {
        return original;
    }

    /** Whether the template reads a {@code tools} variable at all; one that does not cannot offer tools. */
    public boolean supportsTools() {
        return source.contains("tools");
    }

    /**
     * @param messages the conversation: maps with role, content and, as the request has them,
     *                 tool_calls, tool_call_id, name
     * @param tools    the request's tools (OpenAI's {@code {"type":"function","function":{...}}}), or null
     */
    public String render(List<Map<String, Object>> messages, List<Map<String, Object>> tools, boolean addGenerationPrompt) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages);
        if (tools != null) vars.put("tools", tools);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result = jinja.renderForResult(source, vars);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                String m = t.getMessage();
                if (m != null && m.startsWith(RAISED)) throw new TemplateException("messages", m.substring(RAISED.length()).trim());
            }
            throw new IllegalStateException("the chat template failed: " + e.getMessage());
        }
        return result.getOutput();
    }

    private static final String RAISED = "chat template error:";

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new IllegalArgumentException(RAISED + " " + message);
    }

    /** {@code strftime_now(format)}: the current local time in a Python strftime format. */
    public static String strftimeNow(String format) {
        return Strftime.format(format, LocalDateTime.now());
    }

    /** {@code tojson} with Python's separators and an optional {@code indent}. */
    private static final class ToJson implements AdvancedFilter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            return PythonJson.dumps(var, indent == null ? null : ((Number) indent).intValue());
        }
    }

    /** The element of a list at {@code index}, or none outside it (for loop.previtem / nextitem). */
    public static Object item(Object list, long index) {
        if (!(list instanceof List<?> l) || index < 0 || index >= l.size()) return null;
        return l.get((int) index);
    }

    /** Jinja2's {@code iterable} test: strings are iterable too (templates rely on it). */
    private static final class Iterable implements com.hubspot.jinjava.lib.exptest.ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof String || var instanceof java.lang.Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }

    /** {@code mapping | items}: its (key, value) pairs, as Jinja2's filter gives them. */
    private static final class Items implements AdvancedFilter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (!(var instanceof Map<?, ?> m)) return List.of();
            return m.entrySet().stream().map(e -> java.util.Arrays.asList(e.getKey(), e.getValue())).toList();
        }
    }

    /** The subset of Python's strftime templates use. */
    static final class Strftime {
        private Strftime() {
        }

        static String format(String format, LocalDateTime t) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 == format.length()) {
                    out.append(c);
                    continue;
                }
                char f = format.charAt(++i);
                out.append(switch (f) {
                    case 'd' -> String.format("%02d", t.getDayOfMonth());
                    case 'm' -> String.format("%02d", t.getMonthValue());
                    case 'Y' -> String.valueOf(t.getYear());
                    case 'y' -> String.format("%02d", t.getYear() % 100);
                    case 'b' -> t.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH));
                    case 'B' -> t.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH));
                    case 'H' -> String.format("%02d", t.getHour());
                    case 'M' -> String.format("%02d", t.getMinute());
                    case 'S' -> String.format("%02d", t.getSecond());
                    case 'A' -> t.format(DateTimeFormatter.ofPattern("EEEE", Locale.ENGLISH));
                    case 'a' -> t.format(DateTimeFormatter.ofPattern("EEE", Locale.ENGLISH));
                    case '%' -> "%";
                    default -> "%" + f;
                });
            }
            return out.toString();
        }
    }
}
