package dev.specd.draft;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The suffix tree over earlier requests of one preset (SuffixDecoding's global tree): every
 * finished request's prompt and output go in, and the oldest requests are evicted whole once the
 * tree holds more than {@code maxNodes} nodes, so memory stays bounded whatever the traffic.
 * <p>
 * Confined to one thread, the engine's driver, where drafters propose and generations finish:
 * no lock on the drafting path. The first thread to touch it becomes its owner; any other fails
 * loudly instead of corrupting the tree.
 */
public final class SuffixCache {

    /** Memory and contents after a change, for whoever reports them. */
    public interface Listener {
        void changed(int nodes, long bytes, int sequences);
    }

    private final SuffixTree tree;
    private final int maxNodes;
    private final Deque<int[]> sequences = new ArrayDeque<>();
    private final Listener listener;
    private Thread owner;

    public SuffixCache(int depth, int maxNodes, Listener listener) {
        this.tree = new SuffixTree(depth);
        this.maxNodes = maxNodes;
        this.listener = listener;
    }

    /** Adds a finished request's tokens (prompt and output), evicting the oldest requests past the budget. */
    public void add(int[] tokens, int length) {
        confine();
        if (length < 2) return;
        int[] seq = Arrays.copyOf(tokens, length);
        tree.insert(seq, 0, seq.length);
        sequences.addLast(seq);
        while (tree.nodes() > maxNodes && !sequences.isEmpty()) {
            int[] old = sequences.removeFirst();
            tree.remove(old, 0, old.length);
        }
        listener.changed(tree.nodes(), tree.bytes(), sequences.size());
    }

    SuffixTree.Path draft(int[] ctx, int len, int max, double factor, double minProb) {
        confine();
        return tree.draft(ctx, len, max, factor, minProb);
    }

    public int nodes() {
        confine();
        return tree.nodes();
    }

    public long bytes() {
        confine();
        return tree.bytes();
    }

    public int sequences() {
        confine();
        return sequences.size();
    }

    private void confine() {
        Thread t = Thread.currentThread();
        if (owner == null) owner = t;
        else if (owner != t) {
            throw new IllegalStateException("the suffix tree of a preset belongs to thread " + owner.getName()
                    + ", not " + t.getName());
        }
    }
}
