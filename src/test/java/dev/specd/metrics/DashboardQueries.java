package dev.specd.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard, as Grafana would send it with every variable at "All": each
 * panel's targets (rows' nested panels included) and each query variable's {@code label_values}.
 */
record DashboardQueries(String title, List<Target> targets, List<Variable> variables) {

    /** One query of one panel. */
    record Target(String panel, String refId, String expr) {
        String describe() {
            return "panel '" + panel + "' (" + refId + "): " + expr;
        }
    }

    /** A query variable: {@code label_values(selector, label)}. */
    record Variable(String name, String selector, String label) {
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    /**
     * @param values what each variable stands for ({@code $__rate_interval} included); a variable
     *               missing here fails, so that a typo in the dashboard cannot pass unnoticed
     */
    static DashboardQueries load(Path file, Map<String, String> values) throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
        List<Target> targets = new ArrayList<>();
        collect(dashboard.path("panels"), values, targets);
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (!"query".equals(v.path("type").asText())) continue;
            String query = v.path("query").isTextual() ? v.path("query").asText() : v.path("query").path("query").asText();
            Matcher m = LABEL_VALUES.matcher(query);
            if (!m.matches()) throw new IllegalArgumentException("variable " + v.path("name") + ": not label_values: " + query);
            variables.add(new Variable(v.path("name").asText(), substitute(m.group(1), values), m.group(2)));
        }
        return new DashboardQueries(dashboard.path("title").asText(), List.copyOf(targets), List.copyOf(variables));
    }

    private static void collect(JsonNode panels, Map<String, String> values, List<Target> out) {
        for (JsonNode panel : panels) {
            collect(panel.path("panels"), values, out); // a row's panels
            if (!"row".equals(panel.path("type").asText()) && panel.path("targets").isEmpty()) {
                throw new IllegalArgumentException("panel '" + panel.path("title").asText() + "' has no query");
            }
            for (JsonNode t : panel.path("targets")) {
                String expr = t.path("expr").asText();
                if (expr.isBlank()) throw new IllegalArgumentException("panel '" + panel.path("title").asText() + "' has an empty query");
                out.add(new Target(panel.path("title").asText(), t.path("refId").asText(), substitute(expr, values)));
            }
        }
    }

    /** The names of the panels that have queries, as the dashboard lists them. */
    List<String> panels() {
        return targets.stream().map(Target::panel).distinct().toList();
    }

    static String substitute(String expr, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = values.get(name);
            if (value == null) throw new IllegalArgumentException("unknown variable $" + name + " in: " + expr);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
