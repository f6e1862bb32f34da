package dev.specd.sampling;

import java.util.Arrays;

/**
 * The tokens generated so far in one request, with per-token counts for the presence, frequency
 * and repetition penalties.
 *
 * <p>Counts live in a primitive open-addressing hash map sized by the number of <em>distinct</em>
 * generated tokens, not by the vocabulary: a dense {@code int[V]} would cost 600 KB per copy at
 * V = 150k, and speculative decoding copies or rewinds the history once per draft round.
 *
 * <p>Speculative decoding scores the target's distribution p_i at draft position i against the
 * history extended with the drafted tokens x_1..x_{i-1}. Two ways to get there:
 * <ul>
 *   <li>{@link #copy()} and extend the copy, leaving the committed history untouched;</li>
 *   <li>remember {@code int mark = size()}, {@link #add} the draft tokens one by one, and
 *       {@link #truncate(int) truncate(mark)} when the round is verified, re-adding the accepted
 *       prefix, which costs O(rejected tokens) instead of O(history).</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance belongs to one request.
 */
public final class TokenCounts {

    /** Receives one (token, count) pair; only tokens with count &gt; 0 are reported. */
    @FunctionalInterface
    public interface TokenCountConsumer {
        void accept(int token, int count);
    }

    private static final int EMPTY = -1;
    private static final int MIN_CAPACITY = 16;

    /** Every added token in order; it is what makes {@link #truncate} possible. */
    private int[] sequence;
    private int size;

    /** Open addressing with linear probing; a slot whose count fell back to 0 stays occupied. */
    private int[] keys;
    private int[] counts;
    private int occupiedSlots;
    private int distinct;

    public TokenCounts() {
        this(new int[MIN_CAPACITY], 0, emptyKeys(MIN_CAPACITY), new int[MIN_CAPACITY], 0, 0);
    }

    private TokenCounts(int[] sequence, int size, int[] keys, int[] counts, int occupiedSlots, int distinct) {
        this.sequence = sequence;
        this.size = size;
        this.keys = keys;
        this.counts = counts;
        this.occupiedSlots = occupiedSlots;
        this.distinct = distinct;
    }

    /** A history holding {@code tokens} in order. */
    public static TokenCounts of(int... tokens) {
        TokenCounts counts = new TokenCounts();
        counts.addAll(tokens);
        return counts;
    }

    /** Appends one generated token. */
    public void add(int token) {
        if (token < 0) {
            throw new IllegalArgumentException("token ids are >= 0, got " + token);
        }
        if (size == sequence.length) {
            sequence = Arrays.copyOf(sequence, sequence.length * 2);
        }
        sequence[size++] = token;
        int slot = slotOf(token);
        if (keys[slot] == EMPTY) {
            keys[slot] = token;
            occupiedSlots++;
        }
        if (counts[slot]++ == 0) {
            distinct++;
        }
        // Grow after inserting so that a probe always finds an empty slot (load factor <= 1/2).
        if (occupiedSlots * 2 > keys.length) {
            rehash(keys.length * 2);
        }
    }

    public void addAll(int... tokens) {
        for (int token : tokens) {
            add(token);
        }
    }

    /** How many times {@code token} was generated; 0 for unseen and out-of-range ids. */
    public int count(int token) {
        if (token < 0) {
            return 0;
        }
        return counts[slotOf(token)];
    }

    /** Number of tokens added, counting repeats; also the position of the next token. */
    public int size() {
        return size;
    }

    /** Number of distinct tokens with a count &gt; 0. */
    public int distinctTokens() {
        return distinct;
    }

    /** The token added at {@code position} (0-based). */
    public int tokenAt(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " outside 0.." + (size - 1));
        }
        return sequence[position];
    }

    /** The added tokens in order, as a fresh array. */
    public int[] toArray() {
        return Arrays.copyOf(sequence, size);
    }

    /**
     * Rolls the history back to its first {@code newSize} tokens, e.g. discarding the rejected
     * suffix of a draft. Costs O(size - newSize).
     */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot truncate a history of " + size + " tokens to " + newSize);
        }
        while (size > newSize) {
            int slot = slotOf(sequence[--size]);
            if (--counts[slot] == 0) {
                distinct--;
            }
        }
    }

    /** An independent copy: changes to either never show in the other. */
    public TokenCounts copy() {
        return new TokenCounts(Arrays.copyOf(sequence, Math.max(size, MIN_CAPACITY)), size,
                keys.clone(), counts.clone(), occupiedSlots, distinct);
    }

    /** Calls {@code action} once per distinct token with count &gt; 0, in no particular order. */
    public void forEach(TokenCountConsumer action) {
        for (int slot = 0; slot < keys.length; slot++) {
            if (counts[slot] > 0) {
                action.accept(keys[slot], counts[slot]);
            }
        }
    }

    @Override
    public String toString() {
        return "TokenCounts[size=" + size + ", distinct=" + distinct + "]";
    }

    private int slotOf(int token) {
        int mask = keys.length - 1;
        int slot = mix(token) & mask;
        while (keys[slot] != EMPTY && keys[slot] != token) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Fibonacci hashing: token ids are small consecutive ints, which would cluster in linear probing. */
    private static int mix(int token) {
        int h = token * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = emptyKeys(capacity);
        counts = new int[capacity];
        occupiedSlots = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            // Slots whose count fell to 0 are dropped here, so rollbacks do not leak capacity forever.
            if (oldCounts[i] > 0) {
                int slot = slotOf(oldKeys[i]);
                keys[slot] = oldKeys[i];
                counts[slot] = oldCounts[i];
                occupiedSlots++;
            }
        }
    }

    private static int[] emptyKeys(int capacity) {
        int[] keys = new int[capacity];
        Arrays.fill(keys, EMPTY);
        return keys;
    }
}
