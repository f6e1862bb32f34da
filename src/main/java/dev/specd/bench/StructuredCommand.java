package dev.specd.bench;

import dev.specd.constrain.TokenSpace;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code specd bench structured} and {@code specd bench constraint}: what constrained decoding costs. */
final class StructuredCommand {

    private StructuredCommand() {
    }

    @Command(name = "structured", mixinStandardHelpOptions = true,
            description = "json_schema vs free text, target-only and lossless k=4, interleaved: tok/s ratio and speed-up ratio.")
    static final class Structured implements Callable<Integer> {
        @Mixin
        BenchCommand.Common common;

        @Mixin
        BenchCommand.DraftOption draft;

        @Option(names = "--tokens", defaultValue = "96", description = "most tokens per answer")
        int tokens;

        @Option(names = "--runs", defaultValue = "5", description = "interleaved runs of the four configurations")
        int runs;

        @Override
        public Integer call() throws Exception {
            Path target = common.target();
            StructuredBench.Result r = new StructuredBench(target, draft.file(common), common.threads(), tokens).run(runs);
            String json = String.format(Locale.ROOT, """
                    {"benchmark":"structured","target":"%s","runs":%d,"free_tokens_per_second":%.3f,\
                    "schema_tokens_per_second":%.3f,"lossless_free_tokens_per_second":%.3f,\
                    "lossless_schema_tokens_per_second":%.3f,"constrained_ratio":%.4f,"speedup_ratio":%.4f}
                    """, target, runs, r.freeOff(), r.schemaOff(), r.freeLossless(), r.schemaLossless(),
                    r.constrainedRatio(), r.speedupRatio());
            Files.createDirectories(common.out);
            Files.writeString(common.out.resolve("structured.json"), json);
            Map<String, Double> bars = Charts.ordered();
            bars.put("free", r.freeOff());
            bars.put("json_schema", r.schemaOff());
            bars.put("lossless free", r.freeLossless());
            bars.put("lossless json_schema", r.schemaLossless());
            Charts.bars(common.out.resolve("structured.png"), "Structured output vs free text (medians)", "tokens/s",
                    Map.of("tokens/s", bars));
            System.out.printf(Locale.ROOT, "json_schema / free tok/s: %.3f (goal >= 0.8); lossless speed-up with schema / "
                    + "without: %.3f (goal >= 0.9)%n", r.constrainedRatio(), r.speedupRatio());
            System.out.println("wrote " + common.out.resolve("structured.json") + " and structured.png");
            return 0;
        }
    }

    @Command(name = "constraint", mixinStandardHelpOptions = true,
            description = "Per-token cost of a JSON-schema constraint (mask cold and warm, applying it) on models' vocabularies.")
    static final class Constraint implements Callable<Integer> {
        @Option(names = "--models", split = ",", description = "GGUF files whose vocabularies to measure "
                + "(default: stories260K.gguf and llama-2-tiny-random.gguf from SPECD_MODELS_DIR)")
        List<Path> models;

        @Option(names = "--walks", defaultValue = "20", description = "random walks through the schema")
        int walks;

        @Option(names = "--out", defaultValue = "bench-out")
        Path out;

        @Override
        public Integer call() throws Exception {
            List<Path> files = models != null ? models : BenchCommand.modelDirs().stream()
                    .flatMap(d -> java.util.stream.Stream.of(d.resolve("stories260K.gguf"), d.resolve("llama-2-tiny-random.gguf")))
                    .filter(Files::isRegularFile).toList();
            StringBuilder csv = new StringBuilder("model,vocab,tokens,cold_mask_us,warm_mask_us,apply_us,advance_us\n");
            for (Path f : files) {
                try (LlamaBackend m = LlamaBackend.load(f, LoadOptions.DEFAULT)) {
                    ConstraintBench bench = new ConstraintBench(TokenSpace.of(m.vocab()), ConstraintBench.SCHEMA);
                    bench.run(3, 150, 1); // warm-up (JIT)
                    ConstraintBench.Result r = bench.run(walks, 150, 2);
                    csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.2f,%.2f,%.2f,%.2f%n", f.getFileName(), r.vocab(),
                            r.tokens(), r.coldMaskMicros(), r.warmMaskMicros(), r.applyMicros(), r.advanceMicros()));
                    System.out.printf(Locale.ROOT, "%-28s vocab %6d: mask %.1f us cold, %.1f us warm; apply %.1f us; "
                            + "advance %.1f us per token%n", f.getFileName(), r.vocab(), r.coldMaskMicros(),
                            r.warmMaskMicros(), r.applyMicros(), r.advanceMicros());
                }
            }
            Files.createDirectories(out);
            Files.writeString(out.resolve("constraint.csv"), csv);
            System.out.println("wrote " + out.resolve("constraint.csv"));
            return 0;
        }
    }
}
