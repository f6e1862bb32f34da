package dev.specd.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Regular expressions (the common ECMAScript / Python subset) as byte grammars: literals, escapes
 * ({@code \d \w \s} and their negations, {@code \t \n \r \f \v \xHH \\uHHHH}), classes with ranges
 * and negation, {@code .} (any character but a newline), groups ({@code (…)}, {@code (?:…)},
 * {@code (?<name>…)}), alternation and the quantifiers {@code * + ? {n} {n,} {n,m}} (lazy or
 * not: the language is the same). A regex constrains the whole text, so {@code ^} and {@code $}
 * are allowed only at its ends. Backreferences, lookaround and word boundaries describe no regular
 * language of bytes a grammar can follow token by token: they are refused, naming the feature.
 * <p>
 * In {@link Mode#JSON_STRING} mode the regex describes the <em>decoded</em> contents of a JSON
 * string (JSON Schema's {@code pattern}): each character is spelled as JSON must write it, so
 * {@code "} becomes {@code \"} and control characters their escapes.
 */
final class RegexCompiler {

    enum Mode { RAW, JSON_STRING }

    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
    private static final int[] SPACE = {'\t', '\r', ' ', ' '};
    private static final int[] NEWLINE = {'\n', '\n'};

    private final String re;
    private final Mode mode;
    private int i;

    private RegexCompiler(String re, Mode mode) {
        this.re = re;
        this.mode = mode;
    }

    /** The grammar of texts the whole of which {@code regex} matches. */
    static Expr compile(String regex, Mode mode) {
        RegexCompiler c = new RegexCompiler(regex, mode);
        if (regex.startsWith("^")) c.i = 1;
        Expr e = c.alternation();
        if (c.i < regex.length()) throw c.error("unbalanced ')'", "at position " + c.i);
        return e;
    }

    /** JSON Schema's pattern: a match anywhere in the string unless anchored. */
    static Expr pattern(String regex) {
        boolean start = regex.startsWith("^");
        boolean end = regex.endsWith("$") && !regex.endsWith("\\$");
        Expr body = compile(regex, Mode.JSON_STRING);
        Expr any = Expr.star(JsonGrammar.stringChar());
        return Expr.seq(start ? Expr.EMPTY : any, body, end ? Expr.EMPTY : any);
    }

    private Expr alternation() {
        List<Expr> options = new ArrayList<>();
        options.add(sequence());
        while (i < re.length() && re.charAt(i) == '|') {
            i++;
            options.add(sequence());
        }
        return Expr.alt(options);
    }

    private Expr sequence() {
        List<Expr> items = new ArrayList<>();
        while (i < re.length() && re.charAt(i) != '|' && re.charAt(i) != ')') {
            char c = re.charAt(i);
            if (c == '$') {
                if (i == re.length() - 1) {
                    i++;
                    continue;
                }
                throw error("$", "'$' is only supported at the end of the regex");
            }
            if (c == '^') throw error("^", "'^' is only supported at the start of the regex");
            items.add(quantified(atom()));
        }
        return items.size() == 1 ? items.getFirst() : new Expr.Seq(items);
    }

    private Expr quantified(Expr atom) {
        Expr e = atom;
        while (i < re.length()) {
            char c = re.charAt(i);
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                i++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                i++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                i++;
            } else if (c == '{' && isCounter()) {
                int close = re.indexOf('}', i);
                String[] parts = re.substring(i + 1, close).split(",", -1);
                min = Integer.parseInt(parts[0]);
                max = parts.length == 1 ? min : parts[1].isEmpty() ? -1 : Integer.parseInt(parts[1]);
                if (max >= 0 && max < min) throw error("{n,m}", "quantifier {" + min + "," + max + "} has max < min");
                if (max > 1000 || min > 1000) throw error("{n,m}", "quantifiers above 1000 are not supported");
                i = close + 1;
            } else {
                return e;
            }
            if (i < re.length() && re.charAt(i) == '?') i++; // lazy: same language
            else if (i < re.length() && re.charAt(i) == '+') throw error("possessive quantifier", "possessive quantifiers are not supported");
            e = Expr.repeat(e, min, max);
        }
        return e;
    }

    private boolean isCounter() {
        int close = re.indexOf('}', i);
        return close > i && re.substring(i + 1, close).matches("\\d+(,\\d*)?");
    }

    private Expr atom() {
        char c = re.charAt(i);
        switch (c) {
            case '(' -> {
                i++;
                if (re.startsWith("?:", i)) i += 2;
                else if (re.startsWith("?<", i) && i + 2 < re.length() && re.charAt(i + 2) != '=' && re.charAt(i + 2) != '!') {
                    int close = re.indexOf('>', i);
                    if (close < 0) throw error("group", "unterminated group name");
                    i = close + 1;
                } else if (re.startsWith("?P<", i)) {
                    i = re.indexOf('>', i) + 1;
                } else if (re.startsWith("?", i)) {
                    throw error("lookaround", "lookaround and inline flags ('(?" + (i + 1 < re.length() ? re.charAt(i + 1) : "")
                            + "') are not supported");
                }
                Expr inner = alternation();
                if (i >= re.length() || re.charAt(i) != ')') throw error("group", "unterminated group");
                i++;
                return inner;
            }
            case '[' -> {
                return chars(charClass());
            }
            case '.' -> {
                i++;
                return chars(Utf8Ranges.complement(NEWLINE));
            }
            case '\\' -> {
                i++;
                return chars(escape(false));
            }
            case '*', '+', '?' -> throw error("quantifier", "nothing to repeat at position " + i);
            default -> {
                int cp = re.codePointAt(i);
                i += Character.charCount(cp);
                return chars(new int[] {cp, cp});
            }
        }
    }

    /** After a backslash: a set of characters (one, for a plain escape). */
    private int[] escape(boolean inClass) {
        if (i >= re.length()) throw error("escape", "the regex ends with a backslash");
        char c = re.charAt(i++);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> Utf8Ranges.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> Utf8Ranges.complement(WORD);
            case 's' -> SPACE;
            case 'S' -> Utf8Ranges.complement(SPACE);
            case 't' -> one('\t');
            case 'n' -> one('\n');
            case 'r' -> one('\r');
            case 'f' -> one('\f');
            case 'v' -> one(0x0B);
            case '0' -> one(0);
            case 'x' -> one(hexAt(2));
            case 'u' -> one(hexAt(4));
            case 'b' -> {
                if (inClass) yield one('\b');
                throw error("\\b", "word boundaries (\\b) are not supported");
            }
            case 'B' -> throw error("\\B", "word boundaries (\\B) are not supported");
            default -> {
                if (Character.isDigit(c)) throw error("backreference", "backreferences (\\" + c + ") are not supported");
                if (Character.isLetter(c)) throw error("\\" + c, "the escape \\" + c + " is not supported");
                yield one(c);
            }
        };
    }

    private int hexAt(int n) {
        if (i + n > re.length()) throw error("escape", "a hex escape needs " + n + " digits");
        int v = Integer.parseInt(re.substring(i, i + n), 16);
        i += n;
        return v;
    }

    private static int[] one(int cp) {
        return new int[] {cp, cp};
    }

    /** {@code [...]}: returns the sorted, merged ranges. */
    private int[] charClass() {
        i++; // [
        boolean negate = i < re.length() && re.charAt(i) == '^';
        if (negate) i++;
        List<Integer> ranges = new ArrayList<>();
        boolean first = true;
        while (i < re.length() && (re.charAt(i) != ']' || first)) {
            first = false;
            int[] lo;
            if (re.charAt(i) == '\\') {
                i++;
                lo = escape(true);
            } else {
                int cp = re.codePointAt(i);
                i += Character.charCount(cp);
                lo = one(cp);
            }
            if (lo.length == 2 && lo[0] == lo[1] && i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
                i++;
                int hi;
                if (re.charAt(i) == '\\') {
                    i++;
                    int[] h = escape(true);
                    if (h.length != 2 || h[0] != h[1]) throw error("class", "a range must end in one character");
                    hi = h[0];
                } else {
                    hi = re.codePointAt(i);
                    i += Character.charCount(hi);
                }
                if (hi < lo[0]) throw error("class", "range out of order in character class");
                ranges.add(lo[0]);
                ranges.add(hi);
            } else {
                for (int v : lo) ranges.add(v);
            }
        }
        if (i >= re.length()) throw error("class", "unterminated character class");
        i++; // ]
        int[] merged = JsonGrammar.mergeRanges(ranges);
        return negate ? Utf8Ranges.complement(merged) : merged;
    }

    /** One character of the set, spelled as the mode writes it. */
    private Expr chars(int[] set) {
        if (mode == Mode.RAW) return Utf8Ranges.of(set);
        // Inside a JSON string: '"', '\' and control characters must be escaped.
        List<Expr> options = new ArrayList<>();
        int[] plain = intersect(set, Utf8Ranges.complement(new int[] {0x00, 0x1F, '"', '"', '\\', '\\'}));
        if (plain.length > 0) options.add(Utf8Ranges.of(plain));
        for (int k = 0; k < set.length; k += 2) {
            for (int cp = set[k]; cp <= Math.min(set[k + 1], 0x5C); cp++) {
                if (cp < 0x20 || cp == '"' || cp == '\\') options.add(Expr.literal(jsonEscape(cp)));
            }
        }
        if (options.isEmpty()) throw error("class", "a character class that matches nothing");
        return Expr.alt(options);
    }

    private static String jsonEscape(int cp) {
        return switch (cp) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> String.format("\\u%04x", cp);
        };
    }

    private static int[] intersect(int[] a, int[] b) {
        List<Integer> out = new ArrayList<>();
        for (int x = 0; x < a.length; x += 2) {
            for (int y = 0; y < b.length; y += 2) {
                int lo = Math.max(a[x], b[y]);
                int hi = Math.min(a[x + 1], b[y + 1]);
                if (lo <= hi) {
                    out.add(lo);
                    out.add(hi);
                }
            }
        }
        return JsonGrammar.mergeRanges(out);
    }

    private UnsupportedConstraintException error(String feature, String message) {
        return new UnsupportedConstraintException(feature, "regex /" + re + "/: " + message);
    }
}
