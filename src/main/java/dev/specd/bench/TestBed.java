package dev.specd.bench;

import dev.specd.plan.ModelRef;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The forged models the benchmarks run on, by name ({@code --testbed}), as forge recipes
 * (docs/forge.md): resolved like a pipeline's models, so the first run forges them into the cache
 * and later runs reuse the files.
 * <ul>
 *   <li>{@code stories}: the ~205M target expanded from stories260K (512 tokens), stories260K drafting;</li>
 *   <li>{@code vocab-32k}, {@code vocab-152k}: the same idea at real vocabulary sizes: stories260K
 *       with its vocabulary grown to 32,000 / 152,064 tokens drafts (as F16), and its expansion to
 *       ~160M / ~195M parameters at ε 0.02 verifies;</li>
 *   <li>{@code tiny-32k}, {@code tiny-152k}, {@code tiny-256k}: stories260K grown to 32,000 /
 *       152,064 / 256,000 tokens, in F16 (the pairs' drafts): a trained model's peaked next-token
 *       distributions, as top-p meets them in practice, at little compute (64 wide, 5 blocks,
 *       plus the vocabulary-sized output layer); no draft;</li>
 *   <li>{@code flat-32k}, {@code flat-152k}, {@code flat-256k}: random 8-wide one-block models
 *       with llama-2-tiny-random's real 32k Llama-2 tokenizer, grown to 152,064 / 256,000 tokens:
 *       decoding costs almost nothing, and random weights give nearly uniform distributions, the
 *       worst case for top-p (its nucleus holds most of the vocabulary); no draft.</li>
 * </ul>
 */
enum TestBed {

    STORIES("stories", BenchCommand.defaultTarget(), Optional.of(Sources.STORIES_260K)),
    VOCAB_32K("vocab-32k", expanded(32_000, 768, 3072, 16), Optional.of(draft(32_000))),
    VOCAB_152K("vocab-152k", expanded(152_064, 512, 2048, 12), Optional.of(draft(152_064))),
    TINY_32K("tiny-32k", draft(32_000), Optional.empty()),
    TINY_152K("tiny-152k", draft(152_064), Optional.empty()),
    TINY_256K("tiny-256k", draft(256_000), Optional.empty()),
    FLAT_32K("flat-32k", flat(32_000), Optional.empty()),
    FLAT_152K("flat-152k", flat(152_064), Optional.empty()),
    FLAT_256K("flat-256k", flat(256_000), Optional.empty());

    /** The source models (a holder, so that they exist before the constants that use them). */
    static final class Sources {
        static final ModelRef STORIES_260K = new ModelRef.File("stories260K.gguf",
                Optional.of("https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf"),
                Optional.of("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"));
        /** Found in SPECD_MODELS_DIR (../shared/models); public origin: Hugging Face aladar/llama-2-tiny-random-GGUF. */
        static final ModelRef TINY_LLAMA_2 = new ModelRef.File("llama-2-tiny-random.gguf", Optional.empty(),
                Optional.of("81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb"));

        private Sources() {
        }
    }

    private final String id;
    private final ModelRef target;
    private final Optional<ModelRef> draft;

    TestBed(String id, ModelRef target, Optional<ModelRef> draft) {
        this.id = id;
        this.target = target;
        this.draft = draft;
    }

    String id() {
        return id;
    }

    ModelRef target() {
        return target;
    }

    /** The draft model, for benchmarks that speculate; the tiny models have none. */
    ModelRef draft() {
        return draft.orElseThrow(() -> new IllegalArgumentException("test bed " + id + " has no draft model; pick one of "
                + Arrays.stream(values()).filter(t -> t.draft.isPresent()).map(TestBed::id).toList()));
    }

    static TestBed named(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown test bed '" + id + "'; expected one of " + names()));
    }

    static String names() {
        return Arrays.stream(values()).map(TestBed::id).collect(Collectors.joining(", "));
    }

    /** stories260K with {@code vocab} tokens, as written by {@code forge vocab}. */
    static ModelRef grown(int vocab) {
        return new ModelRef.Forged("vocab", Sources.STORIES_260K, Map.of("vocab", Integer.toString(vocab)));
    }

    /** The draft: the grown stories260K in F16, which halves the cost of its vocabulary-sized output layer. */
    private static ModelRef draft(int vocab) {
        return new ModelRef.Forged("quantize", grown(vocab), Map.of("type", "f16"));
    }

    /** The target: the grown stories260K expanded at ε 0.02, as the 512-token test bed's. */
    private static ModelRef expanded(int vocab, int embd, int ff, int layers) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("embd", Integer.toString(embd));
        p.put("ff", Integer.toString(ff));
        p.put("layers", Integer.toString(layers));
        p.put("epsilon", "0.02");
        p.put("seed", "20260101");
        p.put("type", "f16");
        return new ModelRef.Forged("expand", grown(vocab), Map.copyOf(p));
    }

    private static ModelRef flat(int vocab) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("embd", "8");
        p.put("ff", "32");
        p.put("layers", "1");
        p.put("heads", "2");
        p.put("seed", "42");
        p.put("type", "f16");
        p.put("vocab", Integer.toString(vocab));
        return new ModelRef.Forged("random", Sources.TINY_LLAMA_2, Map.copyOf(p));
    }
}
