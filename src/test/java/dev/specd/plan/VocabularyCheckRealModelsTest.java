package dev.specd.plan;

import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The check against the vocabularies llama.cpp reads from real GGUF files (test code may use the
 * backend; the plan package's main code may not).
 */
class VocabularyCheckRealModelsTest {

    @Test
    void stories260KDraftsForItselfButNotForAnUnrelatedLlama() {
        try (LlamaBackend stories = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT);
             LlamaBackend random = LlamaBackend.load(TestModels.tinyRandomLlama2(), LoadOptions.DEFAULT)) {
            assertDoesNotThrow(() -> VocabularyCheck.check(stories.vocab(), stories.vocab(), "self.yaml"));
            SpecException e = assertThrows(SpecException.class,
                    () -> VocabularyCheck.check(stories.vocab(), random.vocab(), "mixed.yaml"));
            assertEquals("drafters", e.field());
            // Both are SPM with the same specials and the same 256 byte tokens; the merges differ at once.
            assertEquals("mixed.yaml: drafters: draft vocabulary does not match the target's (target spm, 512 tokens; "
                    + "draft spm, 32000 tokens): token 259: target '▁t' vs draft '▁▁'", e.getMessage());
        }
    }
}
