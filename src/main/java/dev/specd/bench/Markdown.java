package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** A Markdown document being written: lines, and tables of JSON rows (the report's one formatting rule for numbers). */
final class Markdown {

    private final StringBuilder text = new StringBuilder();

    Markdown line(String s) {
        text.append(s).append('\n');
        return this;
    }

    Markdown blank() {
        if (!text.isEmpty() && !text.toString().endsWith("\n\n")) text.append('\n');
        return this;
    }

    /** Rows of objects as a table; columns are the scalar fields, in first-seen order. */
    Markdown table(JsonNode rows) {
        Set<String> columns = new LinkedHashSet<>();
        for (JsonNode r : rows) r.properties().forEach(e -> {
            if (e.getValue().isValueNode() || isNumbers(e.getValue())) columns.add(e.getKey());
        });
        return table(rows, columns.toArray(String[]::new), columns.toArray(String[]::new));
    }

    /** Rows of objects as a table of the given fields, headed by {@code headers}. */
    Markdown table(JsonNode rows, String[] fields, String[] headers) {
        line("| " + String.join(" | ", headers) + " |");
        line("|" + "---|".repeat(headers.length));
        for (JsonNode r : rows) {
            StringBuilder s = new StringBuilder("|");
            for (String f : fields) s.append(' ').append(cell(r.get(f))).append(" |");
            line(s.toString());
        }
        return blank();
    }

    private static boolean isNumbers(JsonNode v) {
        return v.isArray() && !v.isEmpty() && v.size() <= 16 && v.get(0).isNumber();
    }

    /** A value as a table cell: numbers to 3 decimals (4 significant digits when small), null as a dash. */
    static String cell(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "–";
        if (v.isIntegralNumber()) return v.asText();
        if (v.isNumber()) return num(v.asDouble());
        if (v.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode x : v) s.append(s.isEmpty() ? "" : ", ").append(cell(x));
            return s.toString();
        }
        if (v.isBoolean()) return v.asBoolean() ? "yes" : "no";
        return v.asText().replace("|", "\\|");
    }

    static String num(double d) {
        if (Double.isNaN(d)) return "–";
        double a = Math.abs(d);
        return String.format(Locale.ROOT, a != 0 && a < 0.01 ? "%.4g" : "%.3f", d);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
