package dev.specd.api;

import dev.specd.engine.Vocab;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt's budget without a model: sizes, the deadline and the client's presence. */
class PromptBudgetTest {

    /** One token per byte, at most 4 bytes per token; tokenises in 10 pieces, checking before each. */
    static final class ByteVocab implements Vocab {
        final AtomicInteger tokenised = new AtomicInteger();

        @Override public int size() { return 256; }
        @Override public String type() { return "bpe"; }
        @Override public int bos() { return 1; }
        @Override public int eos() { return 2; }
        @Override public boolean isEndOfGeneration(int token) { return token == 2; }
        @Override public boolean isControl(int token) { return false; }
        @Override public boolean addsBos() { return false; }
        @Override public int maxTokenBytes() { return 4; }
        @Override public byte[] pieceBytes(int token, boolean renderSpecial) { return new byte[] {(byte) token}; }
        @Override public String tokenText(int token) { return String.valueOf((char) token); }

        @Override
        public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
            tokenised.incrementAndGet();
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] t = new int[b.length];
            for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xff;
            return t;
        }

        @Override
        public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial, CancelCheck check) {
            for (int piece = 0; piece < 10; piece++) check.check();
            return tokenize(text, addSpecial, parseSpecial);
        }
    }

    static PromptBudget budget(ByteVocab vocab, int maxTokens, long maxBytes, long deadlineNanos, boolean gone) {
        return new PromptBudget(vocab, maxTokens, "At most " + maxTokens, maxBytes, deadlineNanos, () -> gone);
    }

    @Test
    void withinItsLimitsAPromptIsTokenised() {
        ByteVocab v = new ByteVocab();
        assertArrayEquals(new int[] {'h', 'i'}, budget(v, 10, 100, System.nanoTime() + 10_000_000_000L, false)
                .tokenize("hi", "prompt"));
    }

    @Test
    void aPromptThatCannotFitIsRefusedWithoutTokenising() {
        ByteVocab v = new ByteVocab();
        PromptBudget b = budget(v, 10, 1000, System.nanoTime() + 10_000_000_000L, false);
        // 41 bytes need at least 11 tokens of at most 4 bytes
        ApiException e = assertThrows(ApiException.class, () -> b.tokenize("a".repeat(41), "prompt"));
        assertEquals(400, e.status());
        assertEquals("prompt", e.body().error().param());
        assertEquals(0, v.tokenised.get());
        // 40 bytes may fit: tokenised, then its 40 tokens are over the limit
        assertThrows(ApiException.class, () -> b.tokenize("a".repeat(40), "prompt"));
        assertEquals(1, v.tokenised.get());
        ApiException bytes = assertThrows(ApiException.class,
                () -> budget(v, 1_000_000, 100, System.nanoTime() + 10_000_000_000L, false).tokenize("a".repeat(101), "messages"));
        assertTrue(bytes.getMessage().contains("at most 100 bytes"), bytes.getMessage());
        assertEquals("messages", bytes.body().error().param());
    }

    @Test
    void tokenisingStopsAtTheDeadlineOrWhenTheClientLeaves() {
        ByteVocab v = new ByteVocab();
        ApiException late = assertThrows(ApiException.class,
                () -> budget(v, 100, 100, System.nanoTime() - 1, false).tokenize("hello", "prompt"));
        assertEquals(400, late.status());
        assertTrue(late.getMessage().contains("took too long"), late.getMessage());
        ApiException gone = assertThrows(ApiException.class,
                () -> budget(v, 100, 100, System.nanoTime() + 10_000_000_000L, true).tokenize("hello", "prompt"));
        assertEquals(499, gone.status());
        assertEquals(0, v.tokenised.get());
    }

    @Property
    void utf8LengthIsTheEncodedLength(@ForAll String s) {
        assertEquals(s.getBytes(StandardCharsets.UTF_8).length, PromptBudget.utf8Length(s));
    }

    @Test
    void utf8LengthCountsEveryKindOfCharacter() {
        for (String s : new String[] {"", "a", "é", "中", "😀", "\ud83d", "\ude00x", "a\ud83d\ude00b\ud800"}) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, PromptBudget.utf8Length(s), s);
        }
    }
}
