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
        long[] heap = new long[Math.min(k, values.length)];
        int size = 0;
        // The worst value kept once the heap is full: an equal value comes later, so it ranks lower.
        float worst = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v <= worst) {
                continue;
            }
            if (v != v) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            if (v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit of token " + i + " is +Infinity");
            }
            long key = key(v, i);
            if (size < heap.length) {
                heap[size] = key;
                siftUp(heap, size++);
            } else {
                heap[0] = key;
                siftDown(heap, size);
            }
            if (size == heap.length) {
                worst = values[index(heap[0])];
            }
        }
        if (size == 0) {
            throw new IllegalArgumentException("every token is masked (all logits are -Infinity)");
        }
        long[] best = size == heap.length ? heap : Arrays.copyOf(heap, size);
        Arrays.sort(best);
        return best;
    }

    /**
     * The keys of the {@code k} best of the {@code n} tokens {@code ids} (ascending), with the token
     * id as index, sorted best first: {@link #selectBest(float[], int)} restricted to a candidate
     * set that is known to hold them. The values are already validated.
     */
    static long[] selectBest(float[] values, int[] ids, int n, int k) {
        long[] heap = new long[Math.min(k, n)];
        int size = 0;
        float worst = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int i = ids[j];
            float v = values[i];
            if (v <= worst) {
                continue;
            }
            long key = key(v, i);
            if (size < heap.length) {
                heap[size] = key;
                siftUp(heap, size++);
            } else {
                heap[0] = key;
                siftDown(heap, size);
            }
            if (size == heap.length) {
                worst = values[index(heap[0])];
            }
        }
        long[] best = size == heap.length ? heap : Arrays.copyOf(heap, size);
        Arrays.sort(best);
        return best;
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
