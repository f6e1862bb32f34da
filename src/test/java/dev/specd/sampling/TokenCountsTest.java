package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TokenCountsTest {

    @Test
    void countsRepeatsAndUnseenTokens() {
        TokenCounts h = TokenCounts.of(5, 7, 5, 5, 100_000);
        assertEquals(3, h.count(5));
        assertEquals(1, h.count(7));
        assertEquals(1, h.count(100_000));
        assertEquals(0, h.count(6));
        assertEquals(0, h.count(-3));
        assertEquals(5, h.size());
        assertEquals(3, h.distinctTokens());
        assertArrayEquals(new int[] {5, 7, 5, 5, 100_000}, h.toArray());
        assertEquals(7, h.tokenAt(1));
        assertThrows(IllegalArgumentException.class, () -> h.add(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> h.tokenAt(5));
    }

    @Test
    void truncateRollsBackADraftedSuffix() {
        TokenCounts h = TokenCounts.of(1, 2, 3);
        int mark = h.size();
        h.addAll(2, 9, 9);
        assertEquals(2, h.count(2));
        assertEquals(2, h.count(9));
        h.truncate(mark);
        assertEquals(1, h.count(2));
        assertEquals(0, h.count(9));
        assertEquals(3, h.distinctTokens());
        assertArrayEquals(new int[] {1, 2, 3}, h.toArray());
        assertThrows(IllegalArgumentException.class, () -> h.truncate(4));
    }

    @Test
    void copyIsIndependent() {
        TokenCounts original = TokenCounts.of(4, 4, 8);
        TokenCounts copy = original.copy();
        copy.addAll(4, 15);
        original.truncate(1);
        assertEquals(3, copy.count(4));
        assertEquals(1, copy.count(8));
        assertEquals(1, copy.count(15));
        assertEquals(1, original.count(4));
        assertEquals(0, original.count(8));
        assertEquals(0, original.count(15));
    }

    @Property(tries = 200)
    void behavesLikeAMapOfCounts(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 150_000) Integer> tokens,
                                 @ForAll @IntRange(min = 0, max = 300) int cut) {
        TokenCounts h = new TokenCounts();
        tokens.forEach(h::add);
        int keep = Math.min(cut, tokens.size());
        // Roll back, then re-grow on a copy, the way a draft round does.
        h.truncate(keep);
        TokenCounts regrown = h.copy();
        tokens.subList(keep, tokens.size()).forEach(regrown::add);

        assertMatches(tokens.subList(0, keep), h);
        assertMatches(tokens, regrown);
    }

    private static void assertMatches(List<Integer> tokens, TokenCounts h) {
        Map<Integer, Integer> expected = new HashMap<>();
        tokens.forEach(t -> expected.merge(t, 1, Integer::sum));
        Map<Integer, Integer> seen = new HashMap<>();
        h.forEach((token, count) -> assertEquals(null, seen.put(token, count), "token reported twice"));
        assertEquals(expected, seen);
        expected.forEach((token, count) -> assertEquals(count, h.count(token)));
        assertEquals(tokens.size(), h.size());
        assertEquals(expected.size(), h.distinctTokens());
        assertEquals(new ArrayList<>(tokens), boxed(h.toArray()));
    }

    private static List<Integer> boxed(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return list;
    }
}
