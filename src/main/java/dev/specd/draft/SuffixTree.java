package dev.specd.draft;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A suffix tree over token sequences, cut at a depth: a trie holding every substring of at most
 * {@code depth} tokens of the sequences added, each node counting the substring's occurrences
 * (SuffixDecoding's tree, Oliaro et al., NeurIPS 2025). A node's children are what followed the
 * substring, with how often: the empirical next-token distribution a draft follows.
 * <p>
 * Sequences are added whole ({@link #insert}) or token by token ({@link Appender}), and whole ones
 * removed again ({@link #remove}) — the eviction of a bounded tree. Nodes live in parallel int arrays
 * with a free list, children in one hash index keyed by (parent, token): about 52 bytes a node.
 * Not thread-safe: one owner.
 */
final class SuffixTree {

    static final int ROOT = 0;

    /** A drafted path: tokens, each one's conditional frequency, and their cumulative sum (expected accepted). */
    record Path(int[] tokens, double[] probs, double score, int matched) {
        static final Path EMPTY = new Path(new int[0], new double[0], 0, 0);
    }

    private final int depth;
    private int[] token = new int[64];
    private int[] count = new int[64];
    private int[] level = new int[64];
    private int[] firstChild = new int[64];
    private int[] nextSibling = new int[64];
    private int[] prevSibling = new int[64];
    private int[] parent = new int[64];
    private final LongIntMap children = new LongIntMap(64);
    private int allocated = 1;
    private int freeList = -1;
    private int live;

    SuffixTree(int depth) {
        if (depth < 2) throw new IllegalArgumentException("depth must be >= 2, got " + depth);
        this.depth = depth;
        firstChild[ROOT] = -1;
    }

    int depth() {
        return depth;
    }

    /** Nodes in use, the root excluded. */
    int nodes() {
        return live;
    }

    /** Bytes the tree holds, free slots included. */
    long bytes() {
        return (long) token.length * 7 * Integer.BYTES + children.bytes();
    }

    /** Adds every substring of at most {@code depth} tokens of {@code seq[from, to)}. */
    void insert(int[] seq, int from, int to) {
        for (int i = from; i < to; i++) {
            int node = ROOT;
            for (int j = i; j < Math.min(to, i + depth); j++) node = increment(node, seq[j]);
        }
    }

    /** Takes back an earlier {@link #insert} of the same tokens. */
    void remove(int[] seq, int from, int to) {
        int[] path = new int[depth];
        for (int i = from; i < to; i++) {
            int n = 0;
            int node = ROOT;
            for (int j = i; j < Math.min(to, i + depth); j++) {
                node = child(node, seq[j]);
                if (node < 0) throw new IllegalStateException("removing a sequence the tree does not hold");
                path[n++] = node;
            }
            // Deepest first: a node is found through its parent, and a parent at 0 has children at 0.
            for (int m = n - 1; m >= 0; m--) decrement(path[m]);
        }
    }

    /** Adds one sequence token by token, e.g. a request's prompt and output as they grow. */
    final class Appender {
        /** The nodes of the substrings ending at the last token that may still grow (shorter than depth). */
        private int[] active = new int[0];

        void append(int t) {
            int[] next = new int[Math.min(active.length + 1, depth - 1)];
            int n = 0;
            for (int a : active) {
                int c = increment(a, t);
                if (level[c] < depth) next[n++] = c;
            }
            int c = increment(ROOT, t);
            if (level[c] < depth && n < next.length) next[n++] = c;
            active = Arrays.copyOf(next, n);
        }
    }

    /** The child of {@code node} for {@code t}, or -1. */
    int child(int node, int t) {
        return children.get(key(node, t));
    }

    int count(int node) {
        return count[node];
    }

    /** What followed the node's substring, with how often (in ascending token order). */
    Map<Integer, Integer> continuations(int node) {
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) out.put(token[c], count[c]);
        return new LinkedHashMap<>(out);
    }

    /**
     * The longest suffix of {@code ctx[0, len)} that the tree holds with a continuation (at most
     * depth − 1 tokens, leaving room for one): its node and length, or {@code {-1, 0}}. Found by
     * bisection, since holding a suffix with a continuation implies the same for every shorter one.
     */
    int[] match(int[] ctx, int len, int longest) {
        int lo = 0;
        int hi = Math.min(Math.min(longest, depth - 1), len);
        int node = -1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            int n = walk(ctx, len - mid, len);
            if (n >= 0 && firstChild[n] >= 0) {
                lo = mid;
                node = n;
            } else {
                hi = mid - 1;
            }
        }
        return lo == 0 ? new int[] {-1, 0} : new int[] {node, lo};
    }

    /**
     * SuffixDecoding's speculation along the best path: from the longest matching suffix, the most
     * frequent continuation token after token, while the path's estimated probability (the product
     * of the conditional frequencies) stays at or above {@code minProb}, for at most
     * {@code factor} × the matched length tokens (a long match earns a long draft) and {@code max}.
     * When the path reaches the depth cut it re-anchors on the longest suffix of context and draft.
     */
    Path draft(int[] ctx, int len, int max, double factor, double minProb) {
        int[] m = match(ctx, len, depth - 1);
        if (m[0] < 0) return Path.EMPTY;
        int limit = Math.min(max, Math.max(1, (int) Math.floor(factor * m[1])));
        int[] window = Arrays.copyOfRange(ctx, Math.max(0, len - depth), len + limit);
        int w = Math.min(len, depth);
        int[] out = new int[limit];
        double[] probs = new double[limit];
        double cumulative = 1;
        double score = 0;
        int node = m[0];
        int matched = m[1];
        int n = 0;
        while (n < limit) {
            if (firstChild[node] < 0) {
                int[] again = match(window, w, matched);
                if (again[0] < 0) break;
                node = again[0];
                matched = again[1];
            }
            int best = -1;
            long total = 0;
            for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
                total += count[c];
                if (best < 0 || count[c] > count[best] || (count[c] == count[best] && token[c] < token[best])) best = c;
            }
            double p = (double) count[best] / total;
            if (cumulative * p < minProb) break;
            cumulative *= p;
            score += cumulative;
            out[n] = token[best];
            probs[n++] = p;
            window[w++] = token[best];
            node = best;
            matched++;
        }
        return new Path(Arrays.copyOf(out, n), Arrays.copyOf(probs, n), score, m[1]);
    }

    private int walk(int[] seq, int from, int to) {
        int node = ROOT;
        for (int i = from; i < to && node >= 0; i++) node = child(node, seq[i]);
        return node;
    }

    private int increment(int parent, int t) {
        int c = child(parent, t);
        if (c < 0) {
            c = allocate();
            token[c] = t;
            count[c] = 0;
            level[c] = level[parent] + 1;
            firstChild[c] = -1;
            prevSibling[c] = -1;
            nextSibling[c] = firstChild[parent];
            if (firstChild[parent] >= 0) prevSibling[firstChild[parent]] = c;
            firstChild[parent] = c;
            children.put(key(parent, t), c);
            this.parent[c] = parent;
            live++;
        }
        count[c]++;
        return c;
    }

    private void decrement(int node) {
        if (--count[node] > 0) return;
        int up = parent[node];
        if (prevSibling[node] >= 0) nextSibling[prevSibling[node]] = nextSibling[node];
        else firstChild[up] = nextSibling[node];
        if (nextSibling[node] >= 0) prevSibling[nextSibling[node]] = prevSibling[node];
        children.remove(key(up, token[node]));
        nextSibling[node] = freeList;
        freeList = node;
        live--;
    }

    private int allocate() {
        if (freeList >= 0) {
            int n = freeList;
            freeList = nextSibling[n];
            return n;
        }
        if (allocated == token.length) {
            int size = token.length * 2;
            token = Arrays.copyOf(token, size);
            count = Arrays.copyOf(count, size);
            level = Arrays.copyOf(level, size);
            firstChild = Arrays.copyOf(firstChild, size);
            nextSibling = Arrays.copyOf(nextSibling, size);
            prevSibling = Arrays.copyOf(prevSibling, size);
            parent = Arrays.copyOf(parent, size);
        }
        return allocated++;
    }

    private static long key(int parent, int t) {
        return ((long) parent << 32) | (t & 0xFFFFFFFFL);
    }
}
