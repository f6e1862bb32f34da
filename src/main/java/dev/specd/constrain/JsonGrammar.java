package dev.specd.constrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pieces of JSON as byte grammars (RFC 8259), with deliberate bounds so that a model under a
 * constraint always gets to the end rather than padding forever (small models, masked, happily
 * write whitespace: vLLM added {@code disable-any-whitespace} for the same reason). Whitespace
 * follows the layouts JSON writers produce: none or one space after {@code :}, and after
 * {@code {} {@code [} {@code ,} and before {@code }} {@code ]} nothing, one space, or a newline
 * and an indentation of up to {@link #MAX_INDENT} spaces; none before {@code :} and {@code ,}.
 * Numbers have at most {@link #MAX_INT_DIGITS} integer digits, {@link #MAX_FRACTION_DIGITS}
 * fraction digits and 3 exponent digits (more digits than a double holds are noise anyway).
 */
final class JsonGrammar {

    /** Indentation of pretty-printed JSON ten levels deep at two spaces, five at four. */
    static final int MAX_INDENT = 20;
    static final int MAX_INT_DIGITS = 16;
    static final int MAX_FRACTION_DIGITS = 16;

    /** Named rules for any JSON value (json_object, additional properties, untyped schemas). */
    static final String ANY_VALUE = "json:value";
    private static final String ANY_OBJECT = "json:object";
    private static final String ANY_ARRAY = "json:array";

    private JsonGrammar() {
    }

    /** Between structural characters: nothing, a space, or a line break and indentation. */
    static Expr ws() {
        return Expr.optional(Expr.alt(Expr.literal(" "), Expr.seq(Expr.literal("\n"),
                Expr.repeat(Expr.literal(" "), 0, MAX_INDENT))));
    }

    /** Between a key and its colon-separated value: {@code :} or {@code : }. */
    static Expr colon() {
        return Expr.seq(Expr.literal(":"), Expr.optional(Expr.literal(" ")));
    }

    /** Between members or items: a comma, then {@link #ws()}. */
    static Expr comma() {
        return Expr.seq(Expr.literal(","), ws());
    }

    static Expr digit() {
        return Expr.bytes('0', '9');
    }

    static Expr hex() {
        return Expr.alt(Expr.bytes('0', '9'), Expr.bytes('a', 'f'), Expr.bytes('A', 'F'));
    }

    /**
     * One character of a JSON string body: a plain character, or an escape. {@code \\u} escapes of
     * surrogates are left out: a lone one is no character, and a pair is better written as UTF-8.
     */
    static Expr stringChar() {
        Expr plain = Expr.alt(Expr.bytes(0x20, 0x21), Expr.bytes(0x23, 0x5B), Expr.bytes(0x5D, 0x7F),
                Utf8Ranges.of(new int[] {0x80, Utf8Ranges.MAX}));
        Expr nonSurrogate = Expr.alt(
                Expr.seq(Expr.alt(Expr.bytes('0', '9'), Expr.bytes('a', 'c'), Expr.bytes('A', 'C')), hex(), hex(), hex()),
                Expr.seq(Expr.oneOf("dD"), Expr.bytes('0', '7'), hex(), hex()),
                Expr.seq(Expr.oneOf("efEF"), hex(), hex(), hex()));
        Expr escape = Expr.seq(Expr.literal("\\"), Expr.alt(Expr.oneOf("\"\\/bfnrt"), Expr.seq(Expr.literal("u"), nonSurrogate)));
        return Expr.alt(plain, escape);
    }

    /** A string of {@code min..max} characters (max &lt; 0: unbounded), as JSON Schema counts them. */
    static Expr string(int min, int max) {
        return Expr.seq(Expr.literal("\""), Expr.repeat(stringChar(), min, max), Expr.literal("\""));
    }

    static Expr integer() {
        Expr natural = Expr.alt(Expr.literal("0"), Expr.seq(Expr.bytes('1', '9'), Expr.repeat(digit(), 0, MAX_INT_DIGITS - 1)));
        return Expr.seq(Expr.optional(Expr.literal("-")), natural);
    }

    static Expr number() {
        Expr fraction = Expr.seq(Expr.literal("."), Expr.repeat(digit(), 1, MAX_FRACTION_DIGITS));
        Expr exponent = Expr.seq(Expr.oneOf("eE"), Expr.optional(Expr.oneOf("+-")), Expr.repeat(digit(), 1, 3));
        return Expr.seq(integer(), Expr.optional(fraction), Expr.optional(exponent));
    }

    static Expr bool() {
        return Expr.alt(Expr.literal("true"), Expr.literal("false"));
    }

    static Expr nul() {
        return Expr.literal("null");
    }

    /** Any JSON value; adds its (recursive) rules to {@code named}. */
    static Expr anyValue(Map<String, Expr> named) {
        if (!named.containsKey(ANY_VALUE)) {
            Expr value = new Expr.Ref(ANY_VALUE);
            Expr member = Expr.seq(string(0, -1), colon(), value);
            named.put(ANY_OBJECT, list("{", member, "}"));
            named.put(ANY_ARRAY, list("[", value, "]"));
            named.put(ANY_VALUE, Expr.alt(new Expr.Ref(ANY_OBJECT), new Expr.Ref(ANY_ARRAY), string(0, -1), number(),
                    bool(), nul()));
        }
        return new Expr.Ref(ANY_VALUE);
    }

    /** Any JSON object (the {@code json_object} response format). */
    static Expr anyObject(Map<String, Expr> named) {
        anyValue(named);
        return new Expr.Ref(ANY_OBJECT);
    }

    /** {@code open ws [item (ws , ws item)*] ws close}. */
    static Expr list(String open, Expr item, String close) {
        Expr items = Expr.seq(item, Expr.star(Expr.seq(comma(), item)));
        return Expr.seq(Expr.literal(open), ws(), Expr.optional(Expr.seq(items, ws())), Expr.literal(close));
    }

    /**
     * A quoted object key that is none of {@code names}: keys follow the names' trie character by
     * character and leave it at the first character no name has there; a key may only close where
     * no name ends. Escapes are not allowed in such keys, so that {@code "\u0061"} cannot spell a
     * listed name in disguise.
     */
    static Expr keyNotIn(List<String> names) {
        Expr free = Expr.seq(Expr.star(plainKeyChar(new int[0])), Expr.literal("\""));
        return Expr.seq(Expr.literal("\""), trieNode("", names, free));
    }

    private static Expr trieNode(String prefix, List<String> names, Expr free) {
        TreeMap<Integer, List<String>> next = new TreeMap<>();
        boolean isName = false;
        for (String n : names) {
            if (!n.startsWith(prefix)) continue;
            if (n.length() == prefix.length()) isName = true;
            else next.computeIfAbsent(n.codePointAt(prefix.length()), c -> new ArrayList<>()).add(n);
        }
        List<Expr> options = new ArrayList<>();
        if (!isName) options.add(Expr.literal("\""));
        int[] taken = new int[next.size() * 2];
        int i = 0;
        for (var e : next.entrySet()) {
            String c = new String(Character.toChars(e.getKey()));
            options.add(Expr.seq(Expr.literal(c), trieNode(prefix + c, e.getValue(), free)));
            taken[i++] = e.getKey();
            taken[i++] = e.getKey();
        }
        options.add(Expr.seq(plainKeyChar(taken), free));
        return Expr.alt(options);
    }

    /** A plain (unescaped) string character outside the sorted ranges {@code except}. */
    private static Expr plainKeyChar(int[] except) {
        List<Integer> ranges = new ArrayList<>(List.of(0x00, 0x1F, 0x22, 0x22, 0x5C, 0x5C));
        for (int v : except) ranges.add(v);
        int[] sorted = mergeRanges(ranges);
        return Utf8Ranges.except(sorted);
    }

    /** Sorts and merges ranges given as [lo, hi] pairs. */
    static int[] mergeRanges(List<Integer> pairs) {
        List<int[]> rs = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) rs.add(new int[] {pairs.get(i), pairs.get(i + 1)});
        rs.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<Integer> out = new ArrayList<>();
        for (int[] r : rs) {
            int n = out.size();
            if (n > 0 && r[0] <= out.get(n - 1) + 1) out.set(n - 1, Math.max(out.get(n - 1), r[1]));
            else {
                out.add(r[0]);
                out.add(r[1]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
