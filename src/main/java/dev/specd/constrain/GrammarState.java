package dev.specd.constrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a parse stands in a {@link Grammar}: the set of stacks still alive after the bytes seen so
 * far (each stack's top is a byte-class element to match next; the frames below are where to
 * return when a rule ends), and whether the bytes so far form a complete sentence. Immutable:
 * advancing makes a new state, so speculation rolls back by keeping the old one. Equal states
 * (same stacks, whatever their order) are equal objects, which keys the token-mask cache.
 */
public final class GrammarState {

    /** One frame of a stack: a grammar position and the frame below it (null at the bottom). */
    static final class Frame {
        final int pos;
        final Frame next;
        final int hash;

        Frame(int pos, Frame next) {
            this.pos = pos;
            this.next = next;
            this.hash = 31 * (next == null ? 0 : next.hash) + pos + 1;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Frame f) || f.hash != hash) return false;
            Frame a = this;
            Frame b = f;
            while (a != b) {
                if (a == null || b == null || a.pos != b.pos) return false;
                a = a.next;
                b = b.next;
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Expanding one position never needs more levels than this; more means a grammar bug. */
    private static final int MAX_EXPANSION_DEPTH = 100_000;

    private final Grammar grammar;
    private final Frame[] stacks;
    private final boolean complete;
    private final int hash;
    /** The bytes that may come next (the union of the stacks' top classes). */
    private final long[] nextBytes;
    /**
     * Successor states by byte, filled as they are asked for (a lazily built DFA): only on states
     * the grammar interned, whose successors are interned too, so one trie walk or the next finds
     * each transition computed once. Racy but safe: every entry is immutable and idempotent.
     */
    private GrammarState[] transitions;
    /** Set once the grammar made this the canonical instance of its state (only those memoise). */
    boolean canonical;

    private GrammarState(Grammar grammar, Frame[] stacks, boolean complete) {
        this.grammar = grammar;
        this.stacks = stacks;
        this.complete = complete;
        int h = complete ? 1 : 0;
        long[] next = new long[4];
        for (Frame f : stacks) {
            h += f.hash; // order-independent: a set
            long[] c = grammar.byteClass(f.pos);
            for (int i = 0; i < 4; i++) next[i] |= c[i];
        }
        this.hash = h;
        this.nextBytes = next;
    }

    /** Marks a transition known to lead nowhere. */
    private static final GrammarState DEAD = new GrammarState(null, new Frame[0], false);



    static GrammarState initial(Grammar g) {
        Expansion x = new Expansion(g);
        x.expandRule(g.rule(), null, 0);
        return g.intern(x.state());
    }

    /** Whether the bytes so far are a whole sentence of the grammar. */
    public boolean isComplete() {
        return complete;
    }

    /** Whether any byte may follow. */
    public boolean canContinue() {
        return stacks.length > 0;
    }

    /** No stack alive and not complete: the bytes so far are no prefix of any sentence. */
    public boolean isDead() {
        return stacks.length == 0 && !complete;
    }

    /** The state after byte {@code b}, or null when no sentence continues so. */
    public GrammarState advance(int b) {
        if ((nextBytes[b >>> 6] & (1L << (b & 63))) == 0) return null;
        GrammarState[] known = transitions;
        if (known != null && known[b] != null) return known[b] == DEAD ? null : known[b];
        GrammarState next = step(b);
        if (canonical) {
            next = next == null ? null : grammar.intern(next);
            if (known == null) transitions = known = new GrammarState[256];
            known[b] = next == null ? DEAD : next;
        }
        return next;
    }

    private GrammarState step(int b) {
        Expansion x = null;
        for (Frame f : stacks) {
            if (!grammar.matches(f.pos, b)) continue;
            if (x == null) x = new Expansion(grammar);
            x.expand(f.pos + 1, f.next, 0);
        }
        if (x == null) return null;
        GrammarState s = x.state();
        return s.isDead() ? null : s;
    }

    /** The state after all of {@code bytes}, or null when they leave the grammar. */
    public GrammarState advance(byte[] bytes) {
        GrammarState s = this;
        for (int i = 0; i < bytes.length && s != null; i++) s = s.advance(bytes[i] & 0xFF);
        return s;
    }

    /** The bytes that may come next, as 4 words of a 256-bit set; shared, do not modify. */
    long[] nextBytes() {
        return nextBytes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof GrammarState s) || s.hash != hash || s.complete != complete
                || s.stacks.length != stacks.length || s.grammar != grammar) {
            return false;
        }
        outer:
        for (Frame f : stacks) {
            for (Frame g : s.stacks) if (f.equals(g)) continue outer;
            return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "GrammarState[" + stacks.length + " stacks" + (complete ? ", complete" : "") + "]";
    }

    /** Collects the stacks that expanding some positions reaches, without duplicates. */
    private static final class Expansion {
        private final Grammar g;
        private final List<Frame> out = new ArrayList<>(4);
        private boolean complete;

        Expansion(Grammar g) {
            this.g = g;
        }

        /** Adds every stack whose top is a byte element reachable from {@code pos} on top of {@code tail}. */
        void expand(int pos, Frame tail, int depth) {
            if (depth > MAX_EXPANSION_DEPTH) throw new IllegalStateException("grammar expansion does not terminate");
            int e = g.element(pos);
            if (e == Grammar.END) {
                if (tail == null) complete = true;
                else expand(tail.pos, tail.next, depth + 1);
            } else if (Grammar.isRef(e)) {
                expandRule(Grammar.refRule(e), new Frame(pos + 1, tail), depth + 1);
            } else {
                Frame f = new Frame(pos, tail);
                if (!out.contains(f)) out.add(f);
            }
        }

        void expandRule(int rule, Frame ret, int depth) {
            for (int start : g.alternatives(rule)) expand(start, ret, depth);
        }

        GrammarState state() {
            return new GrammarState(g, out.toArray(Frame[]::new), complete);
        }
    }

    /** For tests and debugging: the stacks' top positions. */
    int[] tops() {
        return Arrays.stream(stacks).mapToInt(f -> f.pos).sorted().toArray();
    }
}
