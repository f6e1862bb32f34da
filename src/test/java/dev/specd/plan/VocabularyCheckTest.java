package dev.specd.plan;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each incompatibility on its own, against a fake vocabulary that differs in exactly that. */
class VocabularyCheckTest {

    static final FakeVocab TARGET = FakeVocab.spm(1000);

    static String failure(dev.specd.engine.Vocab target, dev.specd.engine.Vocab draft) {
        SpecException e = assertThrows(SpecException.class, () -> VocabularyCheck.check(target, draft, "p.yaml"));
        assertEquals("p.yaml", e.file());
        assertEquals("drafters", e.field());
        return e.getMessage();
    }

    static String prefix(int targetSize, String draftType, int draftSize) {
        return "p.yaml: drafters: draft vocabulary does not match the target's (target spm, " + targetSize
                + " tokens; draft " + draftType + ", " + draftSize + " tokens): ";
    }

    @Test
    void theFakeTokenises() {
        // The check never tokenises, but a fake that cannot would hide a broken fixture.
        FakeVocab v = FakeVocab.spm(10);
        assertArrayEquals(new int[] {1, 5, 7}, v.tokenize(" t5 t7", true, false));
        assertEquals(" t5 t7", v.detokenize(new int[] {1, 5, 7}, false));
    }

    @Test
    void theSameVocabularyIsCompatible() {
        assertDoesNotThrow(() -> VocabularyCheck.check(TARGET, FakeVocab.spm(1000), "p.yaml"));
    }

    @Test
    void tokenizerTypesMustMatch() {
        assertEquals(prefix(1000, "bpe", 1000) + "tokenizer type: target spm vs draft bpe",
                failure(TARGET, TARGET.withType("bpe")));
    }

    @Test
    void specialTokensMustMatch() {
        assertEquals(prefix(1000, "spm", 1000) + "bos: target 1 vs draft 0", failure(TARGET, TARGET.withBos(0)));
        assertEquals(prefix(1000, "spm", 1000) + "eos: target 2 vs draft 3", failure(TARGET, TARGET.withEos(3)));
        assertEquals(prefix(1000, "spm", 1000) + "adds bos: target true vs draft false",
                failure(TARGET, TARGET.withAddsBos(false)));
    }

    @Test
    void theFirstDifferentTokenIsNamedWithBothTexts() {
        FakeVocab draft = TARGET.withText(37, "▁a").withText(500, "▁b");
        assertEquals(prefix(1000, "spm", 1000) + "token 37: target '▁t37' vs draft '▁a'", failure(TARGET, draft));
        FakeVocab target = TARGET.withText(37, "▁the");
        assertEquals(prefix(1000, "spm", 1000) + "token 37: target '▁the' vs draft '▁a'",
                failure(target, TARGET.withText(37, "▁a")));
    }

    @Test
    void invisibleCharactersAreEscaped() {
        assertEquals(prefix(1000, "spm", 1000) + "token 9: target '\\u000a' vs draft '\\''",
                failure(TARGET.withText(9, "\n"), TARGET.withText(9, "'")));
    }

    @Test
    void endOfGenerationAndControlFlagsMustMatch() {
        assertEquals(prefix(1000, "spm", 1000) + "token 7 '▁t7': end-of-generation in draft but not in target",
                failure(TARGET, TARGET.withEog(Set.of(2, 7))));
        assertEquals(prefix(1000, "spm", 1000) + "token 1 '<s>': control token in target but not in draft",
                failure(TARGET, TARGET.withControl(Set.of(0, 2))));
    }

    @Test
    void aFewExtraTokensAtTheEndAreAllowed() {
        assertDoesNotThrow(() -> VocabularyCheck.check(TARGET, FakeVocab.spm(1010), "p.yaml"));
        assertDoesNotThrow(() -> VocabularyCheck.check(TARGET, FakeVocab.spm(990), "p.yaml"));
        assertDoesNotThrow(() -> VocabularyCheck.check(TARGET, FakeVocab.spm(1000 + 128), "p.yaml"));
    }

    @Test
    void sizesMayDifferByAtMost128() {
        assertEquals(prefix(1000, "spm", 1200) + "sizes differ by 200 tokens (at most 128 allowed)",
                failure(TARGET, FakeVocab.spm(1200)));
        assertEquals(prefix(1000, "spm", 800) + "sizes differ by 200 tokens (at most 128 allowed)",
                failure(TARGET, FakeVocab.spm(800)));
        assertEquals(prefix(1000, "spm", 1129) + "sizes differ by 129 tokens (at most 128 allowed)",
                failure(TARGET, FakeVocab.spm(1129)));
    }

    @Test
    void aTokenDifferenceIsReportedBeforeASizeDifference() {
        assertEquals(prefix(1000, "spm", 500) + "token 300: target '▁t300' vs draft 'x'",
                failure(TARGET, FakeVocab.spm(500).withText(300, "x")));
    }

    @Test
    void onlyTheSharedRangeIsCompared() {
        // Token 1005 exists only in the draft: whatever it is, the target never produces it.
        FakeVocab draft = FakeVocab.spm(1010).withText(1005, "<extra>").withControl(Set.of(0, 1, 2, 1005));
        assertDoesNotThrow(() -> VocabularyCheck.check(TARGET, draft, "p.yaml"));
    }
}
