package dev.specd.engine.llamacpp;

import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.Vocab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long texts are tokenised in pieces with a check between them: the tokens equal one call's on
 * ordinary text, on both test vocabularies (stories260K's 512 tokens with byte fallback, and the
 * real 32k Llama-2 one), and a check that throws stops a pathological tokenisation at once.
 */
class PiecewiseTokenizerTest {

    static LlamaBackend stories;
    static LlamaBackend llama2;

    @BeforeAll
    static void load() {
        stories = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
        llama2 = LlamaBackend.load(TestModels.tinyRandomLlama2(), LoadOptions.DEFAULT);
    }

    @AfterAll
    static void close() {
        stories.close();
        llama2.close();
    }

    static Vocab vocab(String name) {
        return (name.equals("stories") ? stories : llama2).vocab();
    }

    static final List<String> SENTENCES = List.of("Once upon a time, there was a little girl named Lily.",
            "She liked to play in the park with her dog Max!", "\"Look,\" said Tom, \"a big red ball.\"",
            "It was 3 o'clock and 42 birds sang.", "They ate 1234 cakes;   then they slept.\n\n",
            "Über café naïve résumé — déjà vu.", "中文 文本 也 可以 用 空格 分开。", "Emoji 😀 and 🚀 fly.",
            "\tTabs\tand  double  spaces  here.", "Call me at 555 0100 or 555 0199.", "The end.\n",
            "a b c d e f g 1 2 3 x1 y2 z3", "<s> and </s> are written here too.");

    /** About {@code chars} characters of ordinary text: the sentences above in a seeded order. */
    static String ordinaryText(int chars, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        while (text.length() < chars) text.append(SENTENCES.get(random.nextInt(SENTENCES.size()))).append(' ');
        return text.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories", "llama2"})
    void ordinaryTextGivesTheOneCallTokens(String name) {
        Vocab v = vocab(name);
        for (long seed = 0; seed < 4; seed++) {
            String text = ordinaryText(40_000, seed);
            for (boolean addSpecial : new boolean[] {true, false}) {
                for (boolean parseSpecial : new boolean[] {true, false}) {
                    AtomicInteger checks = new AtomicInteger();
                    int[] pieces = v.tokenize(text, addSpecial, parseSpecial, checks::incrementAndGet);
                    assertArrayEquals(v.tokenize(text, addSpecial, parseSpecial), pieces,
                            name + " seed " + seed + " addSpecial " + addSpecial + " parseSpecial " + parseSpecial);
                    assertTrue(checks.get() >= text.length() / PiecewiseTokenizer.PIECE_CHARS, "checks: " + checks);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories", "llama2"})
    void aPromptHasAtLeastItsBytesOverTheLongestTokenTokens(String name) {
        Vocab v = vocab(name);
        assertTrue(v.maxTokenBytes() >= 4, "max token bytes " + v.maxTokenBytes());
        for (String text : List.of(ordinaryText(5000, 7), "中".repeat(3000), " ".repeat(5000), "😀".repeat(2000),
                "<s>".repeat(1000), "a".repeat(5000))) {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            int tokens = v.tokenize(text, false, true).length;
            assertTrue((long) tokens * v.maxTokenBytes() >= bytes, name + ": " + tokens + " tokens for " + bytes
                    + " bytes of " + text.substring(0, 10));
        }
    }

    @Test
    void aThrowingCheckStopsAPathologicalTokenisation() {
        // 160,000 × 中 on the byte-fallback vocabulary: 9.5 s in one call.
        String text = "中".repeat(160_000);
        AtomicInteger checks = new AtomicInteger();
        IllegalStateException stop = new IllegalStateException("deadline");
        assertThrows(IllegalStateException.class, () -> stories.vocab().tokenize(text, true, true, () -> {
            if (checks.incrementAndGet() == 3) throw stop;
        }));
        assertEquals(3, checks.get(), "the first throwing check ends it");
    }

    @Test
    void aLongRunWithoutSpacesIsCutAtCharacters() {
        String run = "中".repeat(5000) + "😀".repeat(3000);
        int start = 0;
        StringBuilder joined = new StringBuilder();
        while (start < run.length()) {
            int end = PiecewiseTokenizer.end(run, start);
            assertTrue(end - start <= PiecewiseTokenizer.PIECE_CHARS && end > start, start + ".." + end);
            assertTrue(!Character.isLowSurrogate(run.charAt(end == run.length() ? end - 1 : end)) || end == run.length(),
                    "cut inside a surrogate pair at " + end);
            joined.append(run, start, end);
            start = end;
        }
        assertEquals(run, joined.toString());
        // byte-fallback tokens never merge across a cut: the same tokens as one call
        assertArrayEquals(stories.vocab().tokenize(run, true, true), stories.vocab().tokenize(run, true, true, () -> { }));
    }
}
