package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark's results as rows of named values, written once as {@code <name>.csv} and once as
 * {@code <name>.json} (an array of objects, through Jackson), so that both files always hold the
 * same columns. Every row must have the keys of the first, in the same order.
 */
final class BenchTable {

    private BenchTable() {
    }

    static void write(Path out, String name, List<Map<String, Object>> rows) throws IOException {
        if (rows.isEmpty()) throw new IllegalArgumentException("no rows for " + name);
        Files.createDirectories(out);
        List<String> columns = List.copyOf(rows.getFirst().keySet());
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Object> r : rows) {
            if (!List.copyOf(r.keySet()).equals(columns)) {
                throw new IllegalArgumentException("row " + r + " does not have the columns " + columns);
            }
            csv.append(String.join(",", r.values().stream().map(BenchTable::cell).toList())).append('\n');
        }
        Files.writeString(out.resolve(name + ".csv"), csv);
        // NaN (not measured) is null in JSON, as it is an empty cell in the CSV.
        List<Map<String, Object>> json = rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            r.forEach((k, v) -> m.put(k, v instanceof Double d && d.isNaN() ? null : v));
            return m;
        }).toList();
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(name + ".json").toFile(), json);
    }

    /** Doubles with four decimals (no exponent), NaN and null as empty cells; text quoted when it needs it. */
    private static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return d.isNaN() ? "" : String.format(Locale.ROOT, "%.4f", d);
        String s = v.toString();
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
