package dev.specd.forge;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads the string parameters of a forge recipe (pipeline YAML, CLI) with messages that name the key. */
final class ForgeParams {

    private final String op;
    private final Map<String, String> params;

    ForgeParams(String op, Map<String, String> params, Set<String> allowed) {
        this.op = op;
        this.params = params;
        Set<String> unknown = new TreeSet<>(params.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(op + ": unknown parameter(s) " + unknown + "; allowed: " + new TreeSet<>(allowed));
        }
    }

    String string(String key) {
        return required(key);
    }

    int integer(String key) {
        String v = required(key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(op + ": " + key + " must be an integer, got '" + v + "'");
        }
    }

    int integer(String key, int fallback) {
        return params.containsKey(key) ? integer(key) : fallback;
    }

    long longValue(String key, long fallback) {
        if (!params.containsKey(key)) return fallback;
        String v = params.get(key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(op + ": " + key + " must be an integer, got '" + v + "'");
        }
    }

    double number(String key, double fallback) {
        if (!params.containsKey(key)) return fallback;
        String v = params.get(key);
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(op + ": " + key + " must be a number, got '" + v + "'");
        }
    }

    GgmlType type(String key, GgmlType fallback) {
        return params.containsKey(key) ? GgmlType.parse(params.get(key)) : fallback;
    }

    private String required(String key) {
        String v = params.get(key);
        if (v == null) throw new IllegalArgumentException(op + ": parameter " + key + " is required");
        return v;
    }
}
