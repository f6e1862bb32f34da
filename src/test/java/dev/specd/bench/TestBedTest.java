package dev.specd.bench;

import de.kherud.llama.InferenceParameters;
import dev.specd.forge.ExpandSpec;
import dev.specd.forge.RandomSpec;
import dev.specd.forge.VocabSpec;
import dev.specd.plan.ModelRef;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks' named models are valid forge recipes, and both engines get the same sampler chain. */
class TestBedTest {

    @Test
    void everyTestBedIsAValidRecipe() {
        for (TestBed bed : TestBed.values()) {
            assertEquals(bed, TestBed.named(bed.id()));
            check(bed.target());
            if (bed.id().startsWith("vocab-") || bed == TestBed.STORIES) check(bed.draft());
        }
        assertEquals(152_064, vocab(TestBed.VOCAB_152K.target()));
        assertEquals(vocab(TestBed.VOCAB_152K.target()), vocab(TestBed.VOCAB_152K.draft()));
        assertEquals(256_000, vocab(TestBed.TINY_256K.target()));
        // A pair's draft is the very recipe its target grew from, so the two share their tokenizer.
        ModelRef.Forged target = (ModelRef.Forged) TestBed.VOCAB_32K.target();
        assertEquals(target.source(), ((ModelRef.Forged) TestBed.VOCAB_32K.draft()).source());
        IllegalArgumentException noDraft = assertThrows(IllegalArgumentException.class, TestBed.FLAT_152K::draft);
        assertTrue(noDraft.getMessage().contains("vocab-152k"), noDraft.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TestBed.named("huge"));
    }

    @Test
    void thePeerGetsTheSameSamplerChain() {
        for (SamplingChain chain : SamplingChain.values()) {
            String json = LlamaCppPeer.configure(new InferenceParameters("x"), chain).toString();
            String samplers = switch (chain) {
                case GREEDY -> "[\"top_k\"]";
                case TOPP -> "[\"temperature\",\"top_p\"]";
                case TOPK -> "[\"top_k\",\"temperature\",\"top_p\"]";
            };
            assertTrue(json.replace(" ", "").contains("\"samplers\":" + samplers), json);
            assertEquals(SamplingChain.SEED, chain.params().seed().orElseThrow());
        }
        assertTrue(SamplingChain.GREEDY.params().isGreedy());
        assertEquals(40, SamplingChain.TOPK.params().topK());
    }

    private static void check(ModelRef ref) {
        if (!(ref instanceof ModelRef.Forged f)) return;
        switch (f.op()) {
            case "expand" -> ExpandSpec.fromParams(f.params());
            case "vocab" -> VocabSpec.fromParams(f.params());
            case "random" -> RandomSpec.fromParams(Path.of("tokenizer.gguf"), f.params());
            case "quantize" -> assertTrue(Arrays.asList("f16", "q8_0").contains(f.params().get("type")));
            default -> throw new AssertionError("unexpected operation " + f.op());
        }
        check(f.source());
    }

    private static int vocab(ModelRef ref) {
        ModelRef.Forged f = (ModelRef.Forged) ref;
        return f.params().containsKey("vocab") ? Integer.parseInt(f.params().get("vocab")) : vocab(f.source());
    }
}
