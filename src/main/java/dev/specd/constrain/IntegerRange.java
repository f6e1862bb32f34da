package dev.specd.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Integers between two bounds as a grammar of digits (JSON Schema {@code minimum} / {@code maximum}
 * on integers), built the way regex range generators do: split the range by number of digits, then
 * digit by digit into a prefix that is fixed and a rest that runs over whole digit ranges.
 */
final class IntegerRange {

    /** Bounds beyond JSON's digit limit are unbounded in practice. */
    static final long UNBOUNDED = Long.MAX_VALUE;

    private IntegerRange() {
    }

    /** Integers in [lo, hi]; {@code Long.MIN_VALUE} / {@link #UNBOUNDED} for no bound. */
    static Expr of(long lo, long hi) {
        if (lo > hi) throw new UnsupportedConstraintException("minimum", "minimum " + lo + " is above maximum " + hi);
        List<Expr> out = new ArrayList<>();
        if (lo < 0) {
            long negHi = Math.min(hi, -1);
            // -x for x in [-negHi, -lo]
            out.add(Expr.seq(Expr.literal("-"), natural(negHi == Long.MIN_VALUE ? UNBOUNDED : -negHi,
                    lo == Long.MIN_VALUE ? UNBOUNDED : -lo)));
        }
        if (hi >= 0) out.add(natural(Math.max(lo, 0), hi));
        return Expr.alt(out);
    }

    /** Naturals in [a, b] written without leading zeros; b may be {@link #UNBOUNDED}. */
    private static Expr natural(long a, long b) {
        int maxDigits = JsonGrammar.MAX_INT_DIGITS;
        List<Expr> out = new ArrayList<>();
        int da = digits(a);
        if (b == UNBOUNDED || digits(b) > maxDigits) {
            if (da > maxDigits) throw new UnsupportedConstraintException("minimum", "minimum " + a + " has too many digits");
            out.add(sameLength(Long.toString(a), "9".repeat(da)));
            if (da < maxDigits) {
                out.add(Expr.seq(Expr.bytes('1', '9'), Expr.repeat(JsonGrammar.digit(), da, maxDigits - 1)));
            }
            return Expr.alt(out);
        }
        int db = digits(b);
        for (int n = da; n <= db; n++) {
            String from = n == da ? Long.toString(a) : "1" + "0".repeat(n - 1);
            String to = n == db ? Long.toString(b) : "9".repeat(n);
            out.add(sameLength(from, to));
        }
        return Expr.alt(out);
    }

    private static int digits(long v) {
        return Long.toString(v).length();
    }

    /** Numbers of one length from {@code from} to {@code to} (strings of equal length, from &le; to). */
    private static Expr sameLength(String from, String to) {
        if (from.isEmpty()) return Expr.EMPTY;
        char f = from.charAt(0);
        char t = to.charAt(0);
        String fromRest = from.substring(1);
        String toRest = to.substring(1);
        if (f == t) return Expr.seq(Expr.literal(String.valueOf(f)), sameLength(fromRest, toRest));
        boolean fullLow = fromRest.chars().allMatch(c -> c == '0');
        boolean fullHigh = toRest.chars().allMatch(c -> c == '9');
        List<Expr> out = new ArrayList<>();
        char lowEnd = fullLow ? f : (char) (f + 1);
        char highEnd = fullHigh ? t : (char) (t - 1);
        if (!fullLow) out.add(Expr.seq(Expr.literal(String.valueOf(f)), sameLength(fromRest, "9".repeat(fromRest.length()))));
        if (lowEnd <= highEnd) out.add(Expr.seq(Expr.bytes(lowEnd, highEnd), Expr.repeat(JsonGrammar.digit(), toRest.length(), toRest.length())));
        if (!fullHigh) out.add(Expr.seq(Expr.literal(String.valueOf(t)), sameLength("0".repeat(toRest.length()), toRest)));
        return Expr.alt(out);
    }
}
