package dev.specd.bench;

import dev.specd.engine.CacheDirs;
import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.plan.ModelRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code specd bench ...}: benchmarks that write CSV/JSON results and print side-by-side ratios. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {OverheadCommand.class, BenchCommand.Speculation.class,
        RoundCommand.class, DraftersCommand.class, CascadesCommand.class, LoadCommand.class, AdaptiveCommand.class,
        HttpCommand.class, SoakCommand.class, VersusCommand.class, MatrixCommand.class, ModelsCommand.class,
        ReportCommand.class, StructuredCommand.Structured.class, StructuredCommand.Constraint.class},
        description = "Run a benchmark.")
public final class BenchCommand {

    public static int run(String... args) {
        return new CommandLine(new BenchCommand()).execute(args);
    }

    /** The ~205M-parameter F16 target of shared/notes/forged-models.md, forged from stories260K. */
    static ModelRef defaultTarget() {
        return forgedTarget("0.02");
    }

    /** The default target's recipe with another divergence ε from its draft (higher ε: lower acceptance). */
    static ModelRef forgedTarget(String epsilon) {
        ModelRef source = new ModelRef.File("stories260K.gguf",
                Optional.of("https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf"),
                Optional.of("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"));
        return new ModelRef.Forged("expand", source, Map.of("embd", "1024", "ff", "4096", "layers", "16",
                "epsilon", epsilon, "seed", "20260101", "type", "f16"));
    }

    /** Options every benchmark takes. */
    static final class Common {
        @Option(names = "--model", description = "target GGUF (default: the test bed's target)")
        Optional<Path> model;

        @Option(names = "--testbed", defaultValue = "stories",
                description = "forged models to run on when --model/--draft are not given: stories (205M target, 512 tokens), "
                        + "vocab-32k, vocab-152k (~160M/~195M targets with real-size vocabularies and their drafts), "
                        + "tiny-32k, tiny-152k, tiny-256k (stories260K grown to real sizes: little compute, peaked distributions), "
                        + "flat-32k, flat-152k, flat-256k (near-free random models: flat distributions); default ${DEFAULT-VALUE}")
        String testbed;

        @Option(names = "--threads", defaultValue = "0", description = "decode threads (0 = one per core)")
        int threads;

        @Option(names = "--out", defaultValue = "bench-out", description = "directory for the CSV and JSON results")
        Path out;

        int threads() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        TestBed testBed() {
            return TestBed.named(testbed);
        }

        Path target() {
            if (model.isPresent()) return model.get();
            return resolver().resolve(testBed().target());
        }
    }

    /** The draft model of benchmarks that speculate. */
    static final class DraftOption {
        @Option(names = "--draft", description = "draft GGUF (default: the test bed's draft)")
        Optional<Path> draft;

        Path file(Common common) {
            return draft.orElseGet(() -> resolver().resolve(common.testBed().draft()));
        }
    }

    @Command(name = "speculation", mixinStandardHelpOptions = true,
            description = "Target-only vs lossless k=2,4,8 vs cascade tau=0.5,0.7,0.9 vs prompt lookup, greedy or sampled.")
    static final class Speculation implements Callable<Integer> {

        @Mixin
        Common common;

        @Mixin
        DraftOption draft;

        @Option(names = "--tokens", defaultValue = "64", description = "tokens per prompt")
        int tokens;

        @Option(names = "--sampling", defaultValue = "greedy",
                description = "sampler chain: greedy, topp or topk (seeded); default ${DEFAULT-VALUE}")
        String sampling;

        @Override
        public Integer call() throws IOException {
            int t = common.threads();
            Path out = common.out;
            Path target = common.target();
            Path draftFile = draft.file(common);
            SamplingChain chain = SamplingChain.named(sampling);
            System.err.printf("target %s, draft %s, %d tokens per prompt, %d threads, %s%n", target, draftFile, tokens, t,
                    chain.id());
            List<SpeculationBench.Result> results = new SpeculationBench(target, draftFile, t, tokens, chain.params())
                    .run(SpeculationBench.defaultConfigs());
            double base = results.getFirst().tokensPerSecond();
            double editBase = results.stream().filter(r -> r.config().editPrompts()
                    && r.config().mode() == dev.specd.plan.SpeculationMode.OFF).findFirst().orElseThrow().tokensPerSecond();
            List<Map<String, Object>> rows = new ArrayList<>();
            System.out.printf("%-34s %9s %8s %10s %9s %9s%n", "config", "tok/s", "speedup", "acceptance", "verified",
                    "agreement");
            for (SpeculationBench.Result r : results) {
                double speedup = r.tokensPerSecond() / (r.config().editPrompts() ? editBase : base);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("config", r.config().name());
                row.put("sampling", chain.id());
                row.put("tokens", r.tokens());
                row.put("seconds", r.seconds());
                row.put("tokens_per_second", r.tokensPerSecond());
                row.put("speedup", speedup);
                row.put("rounds", r.rounds());
                row.put("drafted", r.drafted());
                row.put("accepted", r.accepted());
                row.put("acceptance", r.acceptance());
                row.put("mean_accepted_per_round", r.rounds() == 0 ? 0.0 : (double) r.accepted() / r.rounds() + 1);
                row.put("verified_fraction", r.verifiedFraction());
                row.put("agreement", r.agreement());
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-34s %9.2f %7.2fx %10.3f %9.3f %9.3f%n", r.config().name(),
                        r.tokensPerSecond(), speedup, r.acceptance(), r.verifiedFraction(), r.agreement());
            }
            BenchTable.write(out, "speculation", rows);
            Map<String, Double> speed = Charts.ordered();
            for (SpeculationBench.Result r : results) speed.put(r.config().name(), r.tokensPerSecond());
            Charts.bars(out.resolve("speculation.png"), "Speculation strategies, one request at a time", "tokens/s",
                    Map.of("tokens/s", speed));
            System.out.println("wrote " + out.resolve("speculation.csv") + ", speculation.json and speculation.png");
            return 0;
        }
    }

    /** Models from SPECD_MODELS_DIR, the cache, a download or the forge, as the server finds them. */
    public static ModelResolver resolver() {
        return new ModelResolver(modelDirs(), CacheDirs.fromEnvironment().root(), true, Forge::forge, "forge-v" + Forge.VERSION);
    }

    static List<Path> modelDirs() {
        String dirs = Optional.ofNullable(System.getenv("SPECD_MODELS_DIR")).orElse("");
        return Arrays.stream(dirs.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
    }
}
