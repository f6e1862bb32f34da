package dev.specd.sampling;

import java.util.Arrays;

/**
 * Ranking of tokens by logit packed into primitive {@code long}s, so that candidate sets can be
 * selected and sorted without boxing.
 *
 * <p>A key holds an order-preserving transform of the float logit in its high 32 bits
 * (complemented, so that ascending keys mean descending logits) and an index in its low 32 bits.
 * Ascending key order is therefore "higher logit first, equal logits by lower index", which is
 * the deterministic rank order every filter in this package uses. Since softmax at a positive
 * temperature is monotone in the logit, it is also the order by probability.
 */
final class RankedKeys {

    private RankedKeys() {
    }

    /** The key of {@code value} at {@code index}; smaller keys rank first. */
    static long key(float value, int index) {
        return ((long) ~sortableBits(value) << 32) | (index & 0xFFFF_FFFFL);
    }

    static int index(long key) {
        return (int) key;
    }

    /** The value a key was made from (-0.0 comes back as 0.0, which ranks the same). */
    static float valueOf(long key) {
        int sortable = ~(int) (key >>> 32);
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7FFF_FFFF));
    }

    /**
     * The keys of the {@code k} best entries of {@code values}, sorted best first.
     * {@code -Infinity} entries (masked tokens) are never selected, so fewer than {@code k} keys
     * come back when fewer tokens are unmasked.
     *
     * <p>A bounded max-heap keeps the k best seen so far: O(V log k) worst case, close to O(V)
     * in practice because once the heap is full most values lose against the value at its root in
     * one float comparison, before any key is built. Validates on the way, as
     * {@link LogitsProcessor#argmax} does.
     *
     * @throws IllegalArgumentException for NaN or +Infinity, or when every entry is masked
     */
    static long[] selectBest(float[] values, int k) {
        BoundedHeap heap = new BoundedHeap(Math.min(k, values.length));
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v <= heap.worst) {
                continue;
            }
            if (v != v) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            if (v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit of token " + i + " is +Infinity");
            }
            heap.add(v, i);
        }
        if (heap.size == 0) {
            throw new IllegalArgumentException("every token is masked (all logits are -Infinity)");
        }
        return heap.sorted();
    }

    /**
     * The keys of the {@code k} best of the {@code n} tokens {@code ids} (ascending), with the token
     * id as index, sorted best first: {@link #selectBest(float[], int)} restricted to a candidate
     * set that is known to hold them. The values are already validated.
     */
    static long[] selectBest(float[] values, int[] ids, int n, int k) {
        BoundedHeap heap = new BoundedHeap(Math.min(k, n));
        for (int j = 0; j < n; j++) {
            float v = values[ids[j]];
            if (v > heap.worst) {
                heap.add(v, ids[j]);
            }
        }
        return heap.sorted();
    }

    /** A max-heap on keys holding the best {@code capacity} seen so far: its root is the worst of them. */
    private static final class BoundedHeap {
        private final long[] keys;
        private int size;
        /**
         * The worst value kept once the heap is full, else -Infinity: a value not above it cannot
         * enter, since an equal value offered later has a higher index and ranks lower.
         */
        private float worst = Float.NEGATIVE_INFINITY;

        BoundedHeap(int capacity) {
            keys = new long[capacity];
        }

        void add(float value, int index) {
            long key = key(value, index);
            if (size < keys.length) {
                keys[size] = key;
                siftUp(keys, size++);
            } else {
                keys[0] = key;
                siftDown(keys, size);
            }
            if (size == keys.length) {
                worst = valueOf(keys[0]);
            }
        }

        long[] sorted() {
            long[] best = size == keys.length ? keys : Arrays.copyOf(keys, size);
            Arrays.sort(best);
            return best;
        }
    }

    /**
     * Maps a float to an int whose signed order matches {@link Float#compare} except that -0.0
     * equals 0.0 (they are the same logit). Flipping the magnitude bits of negative floats turns
     * sign-magnitude order into two's-complement order.
     */
    private static int sortableBits(float value) {
        int bits = Float.floatToRawIntBits(value + 0.0f);
        return bits ^ ((bits >> 31) & 0x7FFF_FFFF);
    }

    /** Max-heap on keys: the root is the worst of the current best. */
    private static void siftUp(long[] heap, int i) {
        long key = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] >= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    private static void siftDown(long[] heap, int size) {
        long key = heap[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = key;
    }
}
