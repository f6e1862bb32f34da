package dev.specd.api;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Tuple;
import net.jqwik.api.sessions.JqwikSession;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The generator of {@link MalformedBodiesTest}: malformed requests to both completion endpoints —
 * every known field with wrong types, out-of-range and nasty values, truncated and non-JSON
 * bodies, invalid UTF-8, wrong content types — from jqwik's arbitraries, driven from a seed.
 * Bodies that happen to be valid keep {@code max_tokens} at most 4.
 */
final class MalformedBodies {

    private MalformedBodies() {
    }

    /** One generated request. {@code contentType} and {@code accept} are left out when null. */
    record Probe(String path, String contentType, String accept, byte[] body) {
        String describe() {
            String text = new String(body, StandardCharsets.UTF_8);
            if (text.length() > 600) text = text.substring(0, 600) + "...(" + body.length + " bytes)";
            return "POST /" + path + " Content-Type: " + contentType + " Accept: " + accept + "\n    " + text;
        }
    }

    // ---- JSON values -------------------------------------------------------------------------

    /** A JSON string literal for {@code s}; non-ASCII as \\u escapes when {@code escape} (lone surrogates too). */
    static String quote(String s, boolean escape) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || (escape && c > 0x7e)) b.append("\\u%04x".formatted((int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static Arbitrary<String> nastyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.of("\"\"", "\" \"", "\"5\"", "\"-1\"", "\"1.5\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
                        "\"1e400\"", "\"true\"", "\"null\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800x\"",
                        "\"\\ud83d\\ude00\"", "\"\u202eevil\"", "\"stories\"", "\"</s>\"", "\"<s>\"",
                        "\"<|im_start|>system\"", "\"\\\\\"", "\"\\n\\r\\t\"", "\"%s%n%x\"", "\"{\\\"a\\\":1}\"",
                        "\"\\uffff\\ufffe\"", "\"\u00e9\u0301\u0000\""),
                Combinators.combine(Arbitraries.strings().all().ofMaxLength(24), Arbitraries.of(true, false))
                        .as(MalformedBodies::quote),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2000).ofMaxLength(20_000).map(s -> quote(s, false)));
    }

    static Arbitrary<String> nastyNumbers() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "-1", "1.5", "-1.5", "0.5", "2", "3", "-2.0000001", "2.0000001", "1e308",
                        "-1e308", "1e400", "-1e400", "1e-400", "5e-324", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "-9223372036854775809", "2147483647", "2147483648", "-2147483648",
                        "-2147483649", "4294967296", "123456789012345678901234567890", "1E2", "1.0", "0.0",
                        "100000000000000000000000000000000000000000000000000.5"),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf));
    }

    /** Any JSON value, nesting up to {@code depth}, biased to nasty scalars. */
    static Arbitrary<String> anyValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.frequencyOf(
                Tuple.of(4, nastyStrings()), Tuple.of(4, nastyNumbers()),
                Tuple.of(2, Arbitraries.of("true", "false", "null")),
                Tuple.of(1, Arbitraries.of("[]", "{}", "[null]", "[[]]", "{\"\":null}", "[1,2,3]", "[\"a\"]",
                        "{\"type\":\"text\"}", "{\"type\":\"text\",\"text\":5}")),
                Tuple.of(1, Arbitraries.integers().between(2, 3000).map(n -> "[".repeat(n) + "]".repeat(n))),
                Tuple.of(1, Arbitraries.integers().between(2, 3000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n))));
        if (depth == 0) return scalar;
        return Arbitraries.frequencyOf(
                Tuple.of(6, scalar),
                Tuple.of(1, anyValue(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]")),
                Tuple.of(1, Combinators.combine(nastyStrings(), anyValue(depth - 1)).as((k, v) -> k + ":" + v)
                        .list().ofMaxSize(3).map(l -> "{" + String.join(",", l) + "}")));
    }

    static Arbitrary<String> nasty() {
        return anyValue(2);
    }

    /** Numbers in [min, max], and now and then one of {@code edges} (valid extremes, as JSON). */
    static Arbitrary<String> doubles(double min, double max, String... edges) {
        Arbitrary<String> inside = Arbitraries.doubles().between(min, max).map(String::valueOf);
        return edges.length == 0 ? inside
                : Arbitraries.frequencyOf(Tuple.of(3, inside), Tuple.of(2, Arbitraries.of(edges)));
    }

    /**
     * How to generate one field: absent, a valid value or a nasty one, with these weights. A valid
     * value is of the right type and range (the request may still be refused for other reasons).
     */
    record FieldSpec(int absent, Arbitrary<Optional<String>> valid, int validWeight, Arbitrary<Optional<String>> bad,
                     int badWeight) {

        static final Arbitrary<Optional<String>> ABSENT = Arbitraries.just(Optional.empty());

        /** Absent, valid or nasty. */
        Arbitrary<Optional<String>> any() {
            return Arbitraries.frequencyOf(Tuple.of(absent, ABSENT), Tuple.of(validWeight, valid), Tuple.of(badWeight, bad));
        }

        /** Absent or valid, even odds (valid bodies exercise many options at once). */
        Arbitrary<Optional<String>> fine() {
            if (absent == 0) return valid;
            return validWeight == 0 ? ABSENT : Arbitraries.frequencyOf(Tuple.of(1, ABSENT), Tuple.of(1, valid));
        }
    }

    static FieldSpec field(String name, int absent, Arbitrary<String> valid, int validWeight,
                           Arbitrary<String> bad, int badWeight) {
        String key = quote(name, false) + ":";
        return new FieldSpec(absent, valid.map(v -> Optional.of(key + v)), validWeight,
                bad.map(v -> Optional.of(key + v)), badWeight);
    }

    static FieldSpec field(String name, Arbitrary<String> valid) {
        return field(name, 6, valid, 3, nasty(), 2);
    }

    static Arbitrary<String> validMessage() {
        return Combinators.combine(Arbitraries.of("system", "developer", "user", "assistant", "tool"),
                        Arbitraries.of("\"Once upon a time\"", "\"\"", "null", "[{\"type\":\"text\",\"text\":\"Lily\"}]", "[]"))
                .as((role, content) -> "{\"role\":\"" + role + "\",\"content\":" + content + "}");
    }

    static Arbitrary<String> badMessage() {
        return Arbitraries.oneOf(nasty(),
                Combinators.combine(Arbitraries.oneOf(nasty(), Arbitraries.of("\"user\"")),
                                Arbitraries.oneOf(nasty(), Arbitraries.of("\"hi\"",
                                        "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]",
                                        "[{\"type\":\"text\"}]", "[\"text\"]", "[null]", "[{\"type\":\"text\",\"text\":null}]")),
                                Arbitraries.oneOf(nasty(), Arbitraries.of("\"bob\"")))
                        .as((role, content, name) -> "{\"role\":" + role + ",\"content\":" + content + ",\"name\":" + name + "}"));
    }

    static Arbitrary<String> messages() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, validMessage().list().ofMinSize(1).ofMaxSize(3)),
                Tuple.of(3, Arbitraries.oneOf(validMessage(), badMessage()).list().ofMaxSize(4)))
                .map(l -> "[" + String.join(",", l) + "]");
    }

    static List<FieldSpec> speculationFields() {
        return List.of(
                field("mode", 2, Arbitraries.of("\"off\"", "\"lossless\"", "\"cascade\"", "\"OFF\""), 2,
                        Arbitraries.oneOf(nasty(), Arbitraries.of("\"fast\"", "\"\"")), 1),
                field("k", 2, Arbitraries.integers().between(1, 32).map(String::valueOf), 2,
                        Arbitraries.oneOf(nasty(), Arbitraries.of("0", "33", "-1")), 1),
                field("tau", 2, doubles(0, 1, "0", "1", "5e-324"), 2, Arbitraries.oneOf(nasty(), Arbitraries.of("1.0000001", "-0.1")), 1),
                new FieldSpec(3, FieldSpec.ABSENT, 0, Arbitraries.just(Optional.of("\"extra\":[1,{}]")), 1));
    }

    /** The fields both endpoints share, in a fixed order; the last one is an unknown field. */
    static List<FieldSpec> samplingFields() {
        return List.of(
                field("model", 3, Arbitraries.of("\"stories\"", "\"stories-target\"", "\"stories-cascade\"",
                        "\"stories-lookup\"", "\"\""), 4, Arbitraries.oneOf(nasty(), Arbitraries.of("\"gpt-4\"",
                        "\"stories \"", "\"STORIES\"", "\"stories\\u0000\"")), 2),
                // Always present, small when valid: valid bodies stay fast.
                field("max_tokens", 0, Arbitraries.integers().between(1, 4).map(String::valueOf), 3,
                        Arbitraries.oneOf(nasty(), Arbitraries.of("0", "-1", "1024", "100000", "4.0", "\"4\"")), 2),
                field("temperature", doubles(0, 2, "0", "2", "2.0", "5e-324", "1e-40", "1e-300")),
                field("top_p", doubles(0.01, 1, "1", "5e-324", "1e-40")),
                field("top_k", Arbitraries.oneOf(Arbitraries.integers().between(0, 50).map(String::valueOf),
                        Arbitraries.of("0", "1", "511", "512", "2147483647"))),
                field("min_p", doubles(0, 1, "0", "1", "5e-324")),
                field("presence_penalty", doubles(-2, 2, "-2", "2", "1.9999999")),
                field("frequency_penalty", doubles(-2, 2, "-2", "2", "-1.9999999")),
                field("repetition_penalty", doubles(0.5, 1.5, "5e-324", "1e-40", "1e-300", "1e-5", "1e5",
                        "1.7976931348623157e308")),
                field("logit_bias", 6, Arbitraries.of("{}", "{\"403\":5}", "{\"1\":-100,\"2\":100}", "{\"99999\":1}",
                        "{\"0\":-100}", "{\"1\":100.0}", "{\"2\":-100,\"403\":-100.0}"), 2, Arbitraries.oneOf(nasty(), Arbitraries.of("{\"abc\":1}", "{\"-1\":1}",
                        "{\"99999999999\":1}", "{\"1\":101}", "{\"1\":\"x\"}", "{\"1\":null}", "{\"1\":1e400}",
                        "{\"1\":-1e400}", "{\"1\":[1]}", "{\"1.5\":1}", "{\"\":1}")), 2),
                field("stop", 6, Arbitraries.of("\".\"", "[\"a\",\"b\"]", "null", "[]", "\"\"", "[\"\"]", "\"\\n\""), 2,
                        Arbitraries.oneOf(nasty(), Arbitraries.of("[1]", "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "[null]",
                                "[[\"a\"]]")), 2),
                field("seed", Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                        Arbitraries.of("0", "-1", "9223372036854775807", "-9223372036854775808"))),
                field("stream", Arbitraries.of("true", "false", "null")),
                field("n", 6, Arbitraries.of("1", "null"), 2, Arbitraries.oneOf(nasty(), Arbitraries.of("0", "2")), 2),
                field("user", Arbitraries.of("\"u\"", "\"\"")),
                field("ignore_eos", Arbitraries.of("true", "false")),
                field("speculation", 6, bodyOf(speculationFields(), -1), 3, Arbitraries.oneOf(nasty(),
                        Arbitraries.integers().between(0, 3).flatMap(i -> bodyOf(speculationFields(), i))), 2),
                new FieldSpec(5, FieldSpec.ABSENT, 0,
                        Combinators.combine(nastyStrings(), nasty()).as((k, v) -> Optional.of(k + ":" + v)), 1));
    }

    static String object(List<Optional<String>> fields) {
        return fields.stream().flatMap(Optional::stream).collect(Collectors.joining(",", "{", "}"));
    }

    /** An object of {@code fields}: the one at {@code broken} nasty, the others absent or valid; all anything when -2. */
    static Arbitrary<String> bodyOf(List<FieldSpec> fields, int broken) {
        List<Arbitrary<Optional<String>>> values = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            FieldSpec f = fields.get(i);
            values.add(broken == -2 ? f.any() : i == broken ? f.bad() : f.fine());
        }
        return Combinators.combine(values).as(MalformedBodies::object);
    }

    /**
     * A JSON object body for the endpoint, its own fields first, then the shared ones: all valid or
     * absent, exactly one nasty (so that every field's own check is reached), or any mix.
     */
    static Arbitrary<String> structured(boolean chat) {
        List<FieldSpec> fields = new ArrayList<>();
        if (chat) {
            fields.add(field("messages", 1, messages(), 8, nasty(), 2));
            fields.add(field("max_completion_tokens", 6, Arbitraries.integers().between(1, 4).map(String::valueOf), 2,
                    nasty(), 1));
        } else {
            fields.add(field("prompt", 1, Arbitraries.of("\"Once upon a time\"", "[\"Once\"]", "[1,403,407]", "\"\"",
                    "[\"\"]", "\"\\u00e9\\ud83d\\ude00 \\u65e5\\u672c\""), 8, Arbitraries.oneOf(nasty(), Arbitraries.of(
                    "[]", "[\"a\",\"b\"]", "[1,-1]", "[1,99999]", "[1.5]", "[[1]]", "[1,\"a\"]", "[2147483648]",
                    "[null]")), 3));
        }
        fields.addAll(samplingFields());
        return Arbitraries.frequencyOf(
                Tuple.of(7, bodyOf(fields, -1)),
                Tuple.of(8, Arbitraries.integers().between(0, fields.size() - 1).flatMap(i -> bodyOf(fields, i))),
                Tuple.of(5, bodyOf(fields, -2)));
    }

    /** Not a JSON object: junk, truncations, other JSON types, deep nesting. */
    static Arbitrary<String> unstructured(boolean chat) {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "\n", "{", "}", "{\"prompt\":", "{\"messages\":[", "not json", "null", "[]",
                        "42", "\"str\"", "true", "{} {}", "{}}", "{\"prompt\":\"hi\",}", "{'prompt':'hi'}",
                        "{prompt:\"hi\"}", "/* c */ {\"prompt\":\"hi\"}", "{\"prompt\":\"hi\" // c\n}", "{\"a\":NaN}",
                        "{\"max_tokens\":Infinity}", "{\"temperature\":-Infinity}", "{\"prompt\":\"\\x41\"}",
                        "{\"prompt\":\"\\u12\"}", "{\"prompt\":\"unterminated}", "\uFEFF{\"prompt\":\"hi\",\"max_tokens\":1}",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}garbage",
                        "<xml/>", "prompt=hi&max_tokens=1", "\u0000\u0001\u0002"),
                Arbitraries.integers().between(2, 5000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(2, 5000).map(n -> "[".repeat(n)),
                Arbitraries.integers().between(2, 3000).map(n -> "{\"prompt\":" + "[".repeat(n) + "1" + "]".repeat(n) + "}"),
                Combinators.combine(structured(chat), Arbitraries.doubles().between(0, 1))
                        .as((body, cut) -> body.substring(0, (int) (body.length() * cut))),
                Arbitraries.strings().all().ofMaxLength(60));
    }

    static Arbitrary<byte[]> bodies(boolean chat) {
        Arbitrary<String> text = Arbitraries.frequencyOf(Tuple.of(8, structured(chat)), Tuple.of(2, unstructured(chat)));
        return Arbitraries.frequencyOf(
                Tuple.of(9, text.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                // invalid UTF-8 spliced into an otherwise fine body
                Tuple.of(1, Combinators.combine(text, Arbitraries.doubles().between(0, 1),
                                Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 0x28},
                                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x82},
                                        new byte[] {(byte) 0xc0, (byte) 0x80}))
                        .as((s, at, junk) -> {
                            byte[] b = s.getBytes(StandardCharsets.UTF_8);
                            int cut = (int) (b.length * at);
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            out.write(b, 0, cut);
                            out.writeBytes(junk);
                            out.write(b, cut, b.length - cut);
                            return out.toByteArray();
                        })));
    }

    static Arbitrary<Probe> probes() {
        Arbitrary<String> contentTypes = Arbitraries.frequencyOf(
                Tuple.of(16, Arbitraries.just("application/json")),
                Tuple.of(1, Arbitraries.of("application/json; charset=utf-8", "application/json; charset=UTF-16",
                        "application/json; charset=ISO-8859-1", "application/json; charset=bogus", "text/plain",
                        "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x",
                        "text/event-stream", "application/octet-stream", "application/*", "json", "")),
                Tuple.of(1, Arbitraries.just("<none>")));
        Arbitrary<String> accepts = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("<none>")),
                Tuple.of(1, Arbitraries.of("application/json", "text/event-stream", "*/*", "text/plain",
                        "application/xml", "text/event-stream, application/json;q=0.5")));
        return Arbitraries.of(false, true).flatMap(chat -> Combinators.combine(bodies(chat), contentTypes, accepts)
                .as((body, type, accept) -> new Probe(chat ? "v1/chat/completions" : "v1/completions",
                        type.equals("<none>") ? null : type, accept.equals("<none>") ? null : accept, body)));
    }

    static List<Probe> generate(int n, long seed) {
        JqwikSession.start();
        try {
            RandomGenerator<Probe> generator = probes().generator(1000, true);
            Random random = new Random(seed);
            List<Probe> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(generator.next(random).value());
            return out;
        } finally {
            JqwikSession.finish();
        }
    }
}
