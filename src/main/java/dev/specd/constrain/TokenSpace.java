package dev.specd.constrain;

import dev.specd.engine.Vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A vocabulary as constraints see it: each token's text as bytes (exactly what the generation
 * emits for it), which tokens end a generation, and a byte trie of all texts, so that a token mask
 * walks the trie once instead of checking every token: a subtree whose prefix the grammar refuses
 * is skipped whole. Built once per model and shared by every constraint on it; immutable.
 * <p>
 * Tokens with no text (control tokens other than end-of-generation ones) are never allowed by a
 * constraint: they would let a constrained generation run on without ever finishing its sentence.
 */
public final class TokenSpace {

    private final int size;
    private final byte[][] pieces;
    private final int[] endTokens;
    // The trie, frozen into arrays: node n's children are childByte/childNode[childStart[n] .. childStart[n + 1]),
    // the tokens whose text ends at n are tokenIds[tokenStart[n] .. tokenStart[n + 1]).
    private final int[] childStart;
    private final byte[] childByte;
    private final int[] childNode;
    private final int[] tokenStart;
    private final int[] tokenIds;

    /**
     * @param pieces    each token's bytes as the generation emits them
     * @param endTokens the end-of-generation tokens (allowed where the constraint is complete)
     */
    public TokenSpace(byte[][] pieces, int[] endTokens) {
        this.size = pieces.length;
        this.pieces = new byte[size][];
        for (int t = 0; t < size; t++) this.pieces[t] = pieces[t].clone();
        this.endTokens = endTokens.clone();
        boolean[] end = new boolean[size];
        for (int t : endTokens) end[t] = true;
        Integer[] order = new Integer[size];
        int n = 0;
        for (int t = 0; t < size; t++) if (!end[t] && this.pieces[t].length > 0) order[n++] = t;
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, (a, b) -> Arrays.compareUnsigned(this.pieces[a], this.pieces[b]));
        Builder b = new Builder();
        for (int t : sorted) b.add(t, this.pieces[t]);
        b.freeze();
        this.childStart = b.childStart;
        this.childByte = b.childByte;
        this.childNode = b.childNode;
        this.tokenStart = b.tokenStart;
        this.tokenIds = b.tokenIds;
    }

    /** The model's vocabulary: texts as the generation renders them (special tokens unrendered). */
    public static TokenSpace of(Vocab vocab) {
        byte[][] pieces = new byte[vocab.size()][];
        List<Integer> ends = new ArrayList<>();
        for (int t = 0; t < pieces.length; t++) {
            pieces[t] = vocab.pieceBytes(t, false);
            if (vocab.isEndOfGeneration(t)) ends.add(t);
        }
        return new TokenSpace(pieces, ends.stream().mapToInt(Integer::intValue).toArray());
    }

    public int size() {
        return size;
    }

    byte[] piece(int token) {
        return pieces[token];
    }

    /** Whether {@code token} ends a generation. */
    public boolean isEndToken(int token) {
        return isEnd(token);
    }

    boolean isEnd(int token) {
        for (int t : endTokens) if (t == token) return true;
        return false;
    }

    int[] endTokensShared() {
        return endTokens;
    }

    public int[] endTokens() {
        return endTokens.clone();
    }

    /** Sets in {@code mask} every token whose whole text the grammar accepts from {@code state}. */
    void collect(GrammarState state, long[] mask) {
        walk(0, state, mask);
    }

    private void walk(int node, GrammarState state, long[] mask) {
        long[] next = state.nextBytes();
        for (int c = childStart[node]; c < childStart[node + 1]; c++) {
            int b = childByte[c] & 0xFF;
            if ((next[b >>> 6] & (1L << (b & 63))) == 0) continue;
            GrammarState after = state.advance(b);
            if (after == null) continue;
            int child = childNode[c];
            for (int i = tokenStart[child]; i < tokenStart[child + 1]; i++) {
                int t = tokenIds[i];
                mask[t >>> 6] |= 1L << (t & 63);
            }
            if (childStart[child] < childStart[child + 1] && after.canContinue()) walk(child, after, mask);
        }
    }

    /** Builds the trie from texts in unsigned byte order, so each node's children are added in order. */
    private static final class Builder {
        int[] childStart;
        byte[] childByte;
        int[] childNode;
        int[] tokenStart;
        int[] tokenIds;

        private final List<int[]> children = new ArrayList<>(); // per node: [byte, child] pairs, flattened
        private final List<List<Integer>> tokens = new ArrayList<>();
        private final List<Integer> path = new ArrayList<>(); // nodes along the previous text
        private byte[] previous = new byte[0];

        Builder() {
            newNode();
            path.add(0);
        }

        private int newNode() {
            children.add(new int[0]);
            tokens.add(new ArrayList<>());
            return children.size() - 1;
        }

        void add(int token, byte[] text) {
            int common = 0;
            while (common < previous.length && common < text.length && previous[common] == text[common]) common++;
            while (path.size() > common + 1) path.removeLast();
            for (int i = common; i < text.length; i++) {
                int parent = path.getLast();
                int node = newNode();
                int[] c = children.get(parent);
                int[] grown = Arrays.copyOf(c, c.length + 2);
                grown[c.length] = text[i] & 0xFF;
                grown[c.length + 1] = node;
                children.set(parent, grown);
                path.add(node);
            }
            tokens.get(path.getLast()).add(token);
            previous = text;
        }

        void freeze() {
            int n = children.size();
            childStart = new int[n + 1];
            tokenStart = new int[n + 1];
            int edges = 0;
            int toks = 0;
            for (int i = 0; i < n; i++) {
                edges += children.get(i).length / 2;
                toks += tokens.get(i).size();
            }
            childByte = new byte[edges];
            childNode = new int[edges];
            tokenIds = new int[toks];
            int e = 0;
            int t = 0;
            for (int i = 0; i < n; i++) {
                childStart[i] = e;
                int[] c = children.get(i);
                for (int j = 0; j < c.length; j += 2) {
                    childByte[e] = (byte) c[j];
                    childNode[e++] = c[j + 1];
                }
                tokenStart[i] = t;
                for (int tok : tokens.get(i)) tokenIds[t++] = tok;
            }
            childStart[n] = e;
            tokenStart[n] = t;
        }
    }
}
