package dev.specd.draft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The suffix tree against a brute-force reference: the longest suffix of a context that occurs in
 * the corpus with a next token (up to depth − 1 tokens), and the counts of what followed it, over
 * random corpora on small alphabets (so that matches are frequent); after insertions, token-by-token
 * appends and evictions alike.
 */
class SuffixTreeTest {

    /** A random corpus, a context to match, the tree's depth, and which sequences to evict after adding them. */
    record Case(List<int[]> corpus, int[] context, int depth, boolean[] evicted) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("Case[depth=" + depth + ", context=" + Arrays.toString(context));
            for (int i = 0; i < corpus.size(); i++) {
                s.append(", ").append(evicted[i] ? "evicted " : "").append(Arrays.toString(corpus.get(i)));
            }
            return s.append(']').toString();
        }

        List<int[]> kept() {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) if (!evicted[i]) out.add(corpus.get(i));
            return out;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> alphabet = Arbitraries.integers().between(2, 5);
        return alphabet.flatMap(a -> {
            Arbitrary<int[]> seq = Arbitraries.integers().between(0, a - 1).array(int[].class).ofMinSize(0).ofMaxSize(40);
            Arbitrary<List<int[]>> corpus = seq.list().ofMinSize(1).ofMaxSize(5);
            Arbitrary<int[]> context = Arbitraries.integers().between(0, a - 1).array(int[].class).ofMinSize(1)
                    .ofMaxSize(30);
            Arbitrary<Integer> depth = Arbitraries.integers().between(2, 12);
            Arbitrary<boolean[]> evicted = Arbitraries.of(true, false, false).array(boolean[].class).ofSize(5);
            return Combinators.combine(corpus, context, depth, evicted).as(Case::new);
        });
    }

    @Property(tries = 400)
    void theLongestMatchAndItsContinuationsAreTheBruteForceOnes(@ForAll("cases") Case c) {
        SuffixTree tree = new SuffixTree(c.depth());
        for (int[] s : c.corpus()) tree.insert(s, 0, s.length);
        for (int i = 0; i < c.corpus().size(); i++) {
            if (c.evicted()[i]) tree.remove(c.corpus().get(i), 0, c.corpus().get(i).length);
        }
        check(tree, c.kept(), c.context(), c.depth());
    }

    @Property(tries = 200)
    void appendingTokenByTokenBuildsTheSameTree(@ForAll("cases") Case c) {
        SuffixTree tree = new SuffixTree(c.depth());
        for (int[] s : c.corpus()) {
            SuffixTree.Appender a = tree.new Appender();
            for (int t : s) a.append(t);
        }
        check(tree, c.corpus(), c.context(), c.depth());
    }

    @Property(tries = 200)
    void evictingEverythingLeavesAnEmptyTree(@ForAll("cases") Case c) {
        SuffixTree tree = new SuffixTree(c.depth());
        for (int[] s : c.corpus()) tree.insert(s, 0, s.length);
        for (int[] s : c.corpus()) tree.remove(s, 0, s.length);
        assertEquals(0, tree.nodes());
        assertEquals(-1, tree.match(c.context(), c.context().length, c.depth())[0]);
    }

    @Property(tries = 200)
    void aDraftFollowsTheMostFrequentContinuationsOfTheMatch(@ForAll("cases") Case c) {
        SuffixTree tree = new SuffixTree(c.depth());
        for (int[] s : c.corpus()) tree.insert(s, 0, s.length);
        SuffixTree.Path path = tree.draft(c.context(), c.context().length, 8, 100, 0.0);
        int[] ctx = c.context();
        double cumulative = 1;
        double score = 0;
        for (int i = 0; i < path.tokens().length; i++) {
            // Each drafted token is the (lowest-id) most frequent continuation of the longest match
            // of the context extended by the tokens drafted so far.
            int longest = longestMatch(c.corpus(), ctx, c.depth());
            Map<Integer, Integer> next = continuations(c.corpus(), ctx, longest);
            int best = next.entrySet().stream().max((a, b) -> a.getValue().equals(b.getValue())
                    ? Integer.compare(b.getKey(), a.getKey()) : Integer.compare(a.getValue(), b.getValue()))
                    .orElseThrow().getKey();
            assertEquals(best, path.tokens()[i], "token " + i + " of " + Arrays.toString(path.tokens()));
            double p = next.get(best) / (double) next.values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(p, path.probs()[i], 1e-12);
            cumulative *= p;
            score += cumulative;
            ctx = Arrays.copyOf(ctx, ctx.length + 1);
            ctx[ctx.length - 1] = best;
        }
        assertEquals(score, path.score(), 1e-9);
        if (path.tokens().length < 8) {
            assertEquals(0, longestMatch(c.corpus(), ctx, c.depth()), "a draft stops only where nothing matches");
        }
    }

    @Test
    void aDraftIsAsLongAsTheEvidenceAndTheFactorAllow() {
        SuffixTree tree = new SuffixTree(16);
        int[] seq = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        tree.insert(seq, 0, seq.length);
        assertArrayEquals(new int[] {4, 5}, tree.draft(new int[] {9, 2, 3}, 3, 8, 1.0, 0).tokens(),
                "2 matched tokens earn 2 drafted at factor 1");
        assertArrayEquals(new int[] {4, 5, 6, 7}, tree.draft(new int[] {9, 2, 3}, 3, 8, 2.0, 0).tokens());
        tree.insert(new int[] {2, 3, 7}, 0, 3);
        // After "2 3": 4 once, 7 once; the path's probability halves at once.
        assertEquals(0, tree.draft(new int[] {2, 3}, 2, 8, 4, 0.6).tokens().length);
        assertArrayEquals(new int[] {4, 5, 6, 7}, tree.draft(new int[] {2, 3}, 2, 4, 4, 0.5).tokens());
    }

    @Test
    void theSharedTreeStaysWithinItsBudgetByEvictingTheOldestRequests() {
        int[] sizes = new int[1];
        SuffixCache cache = new SuffixCache(8, 200, (nodes, bytes, sequences) -> sizes[0] = nodes);
        for (int r = 0; r < 20; r++) {
            int[] seq = new int[20];
            for (int i = 0; i < seq.length; i++) seq[i] = 100 * r + i;
            cache.add(seq, seq.length);
            assertTrue(cache.nodes() <= 200, "nodes " + cache.nodes());
        }
        assertEquals(cache.nodes(), sizes[0]);
        assertTrue(cache.sequences() < 20 && cache.sequences() >= 1);
        SuffixTree.Path newest = cache.draft(new int[] {1900, 1901}, 2, 4, 2, 0);
        assertArrayEquals(new int[] {1902, 1903, 1904, 1905}, newest.tokens());
        assertEquals(0, cache.draft(new int[] {0, 1}, 2, 4, 2, 0).tokens().length, "the oldest request is gone");
    }

    @Test
    void theSharedTreeBelongsToOneThread() throws Exception {
        SuffixCache cache = new SuffixCache(8, 200, (n, b, s) -> { });
        cache.add(new int[] {1, 2, 3}, 3);
        Throwable[] failure = new Throwable[1];
        Thread other = new Thread(() -> failure[0] = assertThrows(IllegalStateException.class, cache::nodes));
        other.start();
        other.join();
        assertTrue(failure[0] instanceof IllegalStateException);
    }

    private static void check(SuffixTree tree, List<int[]> corpus, int[] ctx, int depth) {
        int expected = longestMatch(corpus, ctx, depth);
        int[] m = tree.match(ctx, ctx.length, depth);
        assertEquals(expected, m[1], "longest match");
        if (expected == 0) {
            assertEquals(-1, m[0]);
            return;
        }
        assertEquals(continuations(corpus, ctx, expected), tree.continuations(m[0]));
    }

    /** The longest L ≤ depth − 1 such that the context's last L tokens occur somewhere with a token after them. */
    static int longestMatch(List<int[]> corpus, int[] ctx, int depth) {
        for (int len = Math.min(depth - 1, ctx.length); len >= 1; len--) {
            if (!continuations(corpus, ctx, len).isEmpty()) return len;
        }
        return 0;
    }

    /** Every token that follows an occurrence of the context's last {@code len} tokens, with how often. */
    static Map<Integer, Integer> continuations(List<int[]> corpus, int[] ctx, int len) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (int[] s : corpus) {
            for (int i = 0; i + len < s.length; i++) {
                if (Arrays.equals(s, i, i + len, ctx, ctx.length - len, ctx.length)) out.merge(s[i + len], 1, Integer::sum);
            }
        }
        return out;
    }
}
