package dev.specd.chat;

import java.util.Iterator;
import java.util.Map;

/**
 * JSON written the way Python's {@code json.dumps(x, ensure_ascii=False, indent=...)} writes it,
 * which is what Hugging Face's chat-template {@code tojson} filter calls: templates render tool
 * definitions and call arguments through it, and a model was trained on exactly those bytes —
 * {@code ", "} and {@code ": "} separators without indent, each item on its own line with one.
 */
final class PythonJson {

    private PythonJson() {
    }

    static String dumps(Object value, Integer indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, Integer indent, int level) {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(pythonFloat(d));
            case Float f -> out.append(pythonFloat(f.doubleValue()));
            case Number n -> out.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    newline(out, indent, level + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent, level + 1);
                    if (it.hasNext()) out.append(indent == null ? ", " : ",");
                }
                newline(out, indent, level);
                out.append('}');
            }
            case Iterable<?> list -> {
                Iterator<?> it = list.iterator();
                if (!it.hasNext()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                while (it.hasNext()) {
                    Object item = it.next();
                    newline(out, indent, level + 1);
                    write(out, item, indent, level + 1);
                    if (it.hasNext()) out.append(indent == null ? ", " : ",");
                }
                newline(out, indent, level);
                out.append(']');
            }
            default -> string(out, v.toString());
        }
    }

    private static void newline(StringBuilder out, Integer indent, int level) {
        if (indent == null) return;
        out.append('\n').append(" ".repeat(indent * level));
    }

    /** Python's repr of a float: integral values keep ".0", exponents as Python writes them. */
    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format(java.util.Locale.ROOT, "%.1f", d);
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
