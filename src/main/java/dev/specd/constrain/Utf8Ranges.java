package dev.specd.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Code-point ranges as byte grammars: a range of characters becomes the alternatives of UTF-8
 * byte sequences whose every position is one contiguous byte range (the construction of Rust's
 * regex-syntax {@code Utf8Sequences}). Surrogates are no characters and are left out.
 */
final class Utf8Ranges {

    static final int MAX = 0x10FFFF;

    private Utf8Ranges() {
    }

    /** One character from the sorted, non-overlapping ranges {@code [lo0, hi0, lo1, hi1, ...]}. */
    static Expr of(int[] ranges) {
        List<Expr> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            split(ranges[i], Math.min(ranges[i + 1], MAX), out);
        }
        if (out.isEmpty()) throw new UnsupportedConstraintException("class", "a character class that matches nothing");
        return Expr.alt(out);
    }

    /** Any character except those in the sorted, non-overlapping {@code excluded} ranges. */
    static Expr except(int[] excluded) {
        return of(complement(excluded));
    }

    static int[] complement(int[] ranges) {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) {
                out.add(next);
                out.add(ranges[i] - 1);
            }
            next = Math.max(next, ranges[i + 1] + 1);
        }
        if (next <= MAX) {
            out.add(next);
            out.add(MAX);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void split(int lo, int hi, List<Expr> out) {
        if (lo > hi) return;
        // Surrogates are not characters: skip them.
        if (lo < 0xD800 && hi >= 0xD800) {
            split(lo, 0xD7FF, out);
            split(0xE000, hi, out);
            return;
        }
        if (lo >= 0xD800 && lo <= 0xDFFF) {
            split(0xE000, hi, out);
            return;
        }
        for (int boundary : new int[] {0x7F, 0x7FF, 0xFFFF}) {
            if (lo <= boundary && hi > boundary) {
                split(lo, boundary, out);
                split(boundary + 1, hi, out);
                return;
            }
        }
        if (hi <= 0x7F) {
            out.add(Expr.bytes(lo, hi));
            return;
        }
        for (int n = 1; n < 4; n++) {
            int m = (1 << (6 * n)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo);
        byte[] b = encode(hi);
        List<Expr> seq = new ArrayList<>(a.length);
        for (int i = 0; i < a.length; i++) seq.add(Expr.bytes(a[i] & 0xFF, b[i] & 0xFF));
        out.add(new Expr.Seq(seq));
    }

    static byte[] encode(int cp) {
        return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
