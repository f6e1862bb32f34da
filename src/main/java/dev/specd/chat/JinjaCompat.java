package dev.specd.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the two Jinja2 constructs chat templates use that Jinjava reads differently, before
 * Jinjava parses the template:
 * <ul>
 * <li>{@code not} binds looser than tests and comparisons in Jinja2 ({@code not x is defined} is
 *     {@code not (x is defined)}), tighter in Jinjava; each {@code not} in an {@code if} /
 *     {@code elif} condition gets its operand parenthesised up to the next {@code and} / {@code or};</li>
 * <li>{@code loop.previtem} and {@code loop.nextitem} (Jinja2 2.10) do not exist in Jinjava; they
 *     become indexing into the iterable of the nearest enclosing {@code for}.</li>
 * </ul>
 */
final class JinjaCompat {

    private static final Pattern CONDITION = Pattern.compile("(\\{%-?\\s*(?:if|elif)\\s)(.*?)(-?%})", Pattern.DOTALL);
    private static final Pattern FOR = Pattern.compile(
            "\\{%-?\\s*(?:for\\s+[\\w\\s,]+?\\s+in\\s+(.+?)|(endfor))\\s*-?%}", Pattern.DOTALL);
    private static final Pattern LOOP_ITEM = Pattern.compile("loop\\.(previtem|nextitem)");

    /** The function the rewritten loop items call: {@code specd_item(list, index)}, none outside the list. */
    static final String ITEM_FUNCTION = "specd_item";

    private JinjaCompat() {
    }

    static String rewrite(String source) {
        return loopItems(notPrecedence(source));
    }

    private static String notPrecedence(String source) {
        Matcher m = CONDITION.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + condition(m.group(2)) + m.group(3)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Wraps the operand of every top-level {@code not} (outside quotes, not {@code is not} / {@code not in}). */
    static String condition(String c) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < c.length()) {
            char ch = c.charAt(i);
            if (ch == '"' || ch == '\'') {
                int end = closingQuote(c, i);
                out.append(c, i, end);
                i = end;
                continue;
            }
            if (startsWord(c, i, "not") && !precededByIs(c, i) && !followedByIn(c, i + 3)) {
                int start = i + 3;
                int end = operandEnd(c, start);
                String operand = c.substring(start, end);
                out.append("not (").append(condition(operand.trim())).append(')')
                        .append(operand.substring(operand.stripTrailing().length()));
                i = end;
                continue;
            }
            out.append(ch);
            i++;
        }
        return out.toString();
    }

    private static int closingQuote(String c, int open) {
        char q = c.charAt(open);
        int i = open + 1;
        while (i < c.length() && c.charAt(i) != q) i += c.charAt(i) == '\\' ? 2 : 1;
        return Math.min(c.length(), i + 1);
    }

    private static boolean startsWord(String c, int i, String word) {
        if (!c.startsWith(word, i)) return false;
        boolean before = i == 0 || !Character.isLetterOrDigit(c.charAt(i - 1)) && c.charAt(i - 1) != '_';
        int after = i + word.length();
        return before && (after >= c.length() || !Character.isLetterOrDigit(c.charAt(after)) && c.charAt(after) != '_');
    }

    private static boolean precededByIs(String c, int i) {
        String before = c.substring(0, i).stripTrailing();
        return before.endsWith(" is") || before.equals("is");
    }

    private static boolean followedByIn(String c, int i) {
        String after = c.substring(i).stripLeading();
        return after.startsWith("in ") || after.startsWith("in(");
    }

    /** Where a {@code not}'s operand ends: the next top-level {@code and} / {@code or} / {@code )}, or the end. */
    private static int operandEnd(String c, int from) {
        int depth = 0;
        int i = from;
        while (i < c.length()) {
            char ch = c.charAt(i);
            if (ch == '"' || ch == '\'') {
                i = closingQuote(c, i);
                continue;
            }
            if (ch == '(' || ch == '[' || ch == '{') depth++;
            else if (ch == ')' || ch == ']' || ch == '}') {
                if (depth == 0) return i;
                depth--;
            } else if (depth == 0 && (startsWord(c, i, "and") || startsWord(c, i, "or"))) {
                return i;
            }
            i++;
        }
        return c.length();
    }

    private static String loopItems(String source) {
        Matcher m = LOOP_ITEM.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String iterable = enclosingIterable(source, m.start());
            if (iterable == null) continue;
            String replacement = ITEM_FUNCTION + "(" + iterable + ", loop.index0 "
                    + (m.group(1).equals("previtem") ? "- 1)" : "+ 1)");
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The iterable of the innermost {@code for} still open at {@code at}. */
    private static String enclosingIterable(String source, int at) {
        Matcher f = FOR.matcher(source.substring(0, at));
        java.util.ArrayDeque<String> open = new java.util.ArrayDeque<>();
        while (f.find()) {
            if (f.group(2) != null) {
                if (!open.isEmpty()) open.pop();
            } else {
                // 'for x in items if cond' filters: the index runs over the filtered list, so leave those alone.
                String iterable = f.group(1);
                open.push(iterable.matches(".*\\sif\\s.*") ? "" : iterable);
            }
        }
        return open.isEmpty() || open.peek().isEmpty() ? null : open.peek();
    }
}
