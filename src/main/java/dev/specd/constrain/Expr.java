package dev.specd.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A grammar over bytes, as the compilers (JSON schema, regex, tool calls) build it before
 * {@link Grammar#compile} flattens it into rules. Working on UTF-8 bytes rather than characters
 * lets a token that holds part of a character (byte-fallback tokens such as {@code <0xE2>}) be
 * checked like any other: the grammar spells every character as its bytes.
 */
public sealed interface Expr {

    /** One byte from a set (256 bits in four longs). */
    record Bytes(long[] set) implements Expr {
        public Bytes {
            if (set.length != 4) throw new IllegalArgumentException("a byte set has 4 words");
            set = set.clone();
        }

        boolean contains(int b) {
            return (set[b >>> 6] & (1L << (b & 63))) != 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(set, b.set);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(set);
        }
    }

    record Seq(List<Expr> items) implements Expr {
        public Seq {
            items = List.copyOf(items);
        }
    }

    record Alt(List<Expr> options) implements Expr {
        public Alt {
            options = List.copyOf(options);
            if (options.isEmpty()) throw new IllegalArgumentException("an alternative needs at least one option");
        }
    }

    /** {@code item} repeated min..max times; max &lt; 0 means unbounded. */
    record Repeat(Expr item, int min, int max) implements Expr {
        public Repeat {
            if (min < 0 || (max >= 0 && max < min)) throw new IllegalArgumentException("bad repeat " + min + ".." + max);
        }
    }

    /** A named rule, defined in the {@link Grammar} (recursion, e.g. JSON schema {@code $ref}s). */
    record Ref(String name) implements Expr {
    }

    Expr EMPTY = new Seq(List.of());

    static Expr bytes(int lo, int hi) {
        long[] set = new long[4];
        for (int b = lo; b <= hi; b++) set[b >>> 6] |= 1L << (b & 63);
        return new Bytes(set);
    }

    static Expr oneOf(String asciiChars) {
        long[] set = new long[4];
        for (char c : asciiChars.toCharArray()) {
            if (c > 0x7F) throw new IllegalArgumentException("oneOf takes ASCII characters");
            set[c >>> 6] |= 1L << (c & 63);
        }
        return new Bytes(set);
    }

    /** The UTF-8 bytes of {@code text}, in order. */
    static Expr literal(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        List<Expr> items = new ArrayList<>(utf8.length);
        for (byte b : utf8) items.add(bytes(b & 0xFF, b & 0xFF));
        return items.size() == 1 ? items.getFirst() : new Seq(items);
    }

    static Expr seq(Expr... items) {
        return new Seq(List.of(items));
    }

    static Expr alt(Expr... options) {
        return options.length == 1 ? options[0] : new Alt(List.of(options));
    }

    static Expr alt(List<Expr> options) {
        return options.size() == 1 ? options.getFirst() : new Alt(options);
    }

    static Expr optional(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr star(Expr e) {
        return new Repeat(e, 0, -1);
    }

    static Expr plus(Expr e) {
        return new Repeat(e, 1, -1);
    }

    static Expr repeat(Expr e, int min, int max) {
        return new Repeat(e, min, max);
    }
}
