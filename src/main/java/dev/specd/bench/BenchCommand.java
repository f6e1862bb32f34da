package dev.specd.bench;

import dev.specd.forge.Forge;
import dev.specd.models.ModelResolver;
import dev.specd.engine.CacheDirs;
import dev.specd.plan.ModelRef;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code specd bench ...}: benchmarks that write CSV/JSON results and print side-by-side ratios. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchCommand.Overhead.class, BenchCommand.Speculation.class, DraftersCommand.class, CascadesCommand.class,
        LoadCommand.class, AdaptiveCommand.class, HttpCommand.class, VersusCommand.class},
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
        @Option(names = "--model", description = "target GGUF (default: the ~205M target forged from stories260K)")
        Optional<Path> model;

        @Option(names = "--threads", defaultValue = "0", description = "decode threads (0 = one per core)")
        int threads;

        @Option(names = "--out", defaultValue = "bench-out", description = "directory for the CSV and JSON results")
        Path out;

        int threads() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        Path target() {
            if (model.isPresent()) return model.get();
            return resolver().resolve(defaultTarget());
        }
    }

    /** The draft model of benchmarks that speculate. */
    static final class DraftOption {
        @Option(names = "--draft", description = "draft GGUF (default: stories260K.gguf from SPECD_MODELS_DIR)")
        Optional<Path> draft;

        Path file() {
            return draft.orElseGet(() -> resolver().resolve(((ModelRef.Forged) defaultTarget()).source()));
        }
    }

    @Command(name = "overhead", mixinStandardHelpOptions = true,
            description = "Target-only tokens/s through specd's engine vs llama.cpp's own decode loop.")
    static final class Overhead implements Callable<Integer> {

        @Mixin
        Common common;

        @Option(names = "--tokens", defaultValue = "128", description = "tokens to generate per run")
        int tokens;

        @Option(names = "--runs", defaultValue = "3", description = "runs of each engine, alternating")
        int runs;

        @Option(names = "--prompt", defaultValue = "Once upon a time")
        String prompt;

        @Override
        public Integer call() throws IOException, InterruptedException {
            int t = common.threads();
            Path out = common.out;
            Path file = common.target();
            System.err.printf("model %s, %d tokens, %d threads, %d runs each%n", file, tokens, t, runs);
            List<OverheadBench.Run> results = new OverheadBench(file, prompt, tokens, t).run(runs);
            double ours = median(results, "specd");
            double peer = median(results, "llama.cpp");
            Files.createDirectories(out);
            StringBuilder csv = new StringBuilder("run,engine,tokens,decode_seconds,first_token_seconds,tokens_per_second\n");
            for (OverheadBench.Run r : results) {
                csv.append(String.format(Locale.ROOT, "%d,%s,%d,%.6f,%.6f,%.3f%n", r.index(), r.engine(),
                        r.timing().tokens(), r.timing().decodeNanos() / 1e9, r.timing().firstTokenNanos() / 1e9,
                        r.timing().tokensPerSecond()));
            }
            Files.writeString(out.resolve("overhead.csv"), csv);
            String json = String.format(Locale.ROOT, """
                    {"benchmark":"overhead","model":"%s","tokens":%d,"threads":%d,"runs":%d,\
                    "specd_tokens_per_second":%.3f,"llamacpp_tokens_per_second":%.3f,"ratio":%.4f}
                    """, file, tokens, t, runs, ours, peer, ours / peer);
            Files.writeString(out.resolve("overhead.json"), json);
            System.out.printf(Locale.ROOT, "specd %.2f tok/s, llama.cpp %.2f tok/s (medians of %d runs): ratio %.3f%n",
                    ours, peer, runs, ours / peer);
            System.out.println("wrote " + out.resolve("overhead.csv") + " and " + out.resolve("overhead.json"));
            return 0;
        }

        private static double median(List<OverheadBench.Run> runs, String engine) {
            double[] v = runs.stream().filter(r -> r.engine().equals(engine))
                    .mapToDouble(r -> r.timing().tokensPerSecond()).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    @Command(name = "speculation", mixinStandardHelpOptions = true,
            description = "Target-only vs lossless k=2,4,8 vs cascade tau=0.5,0.7,0.9 vs prompt lookup, greedy.")
    static final class Speculation implements Callable<Integer> {

        @Mixin
        Common common;

        @Mixin
        DraftOption draft;

        @Option(names = "--tokens", defaultValue = "64", description = "tokens per prompt")
        int tokens;

        @Override
        public Integer call() throws IOException {
            int t = common.threads();
            Path out = common.out;
            Path target = common.target();
            Path draftFile = draft.file();
            System.err.printf("target %s, draft %s, %d tokens per prompt, %d threads%n", target, draftFile, tokens, t);
            List<SpeculationBench.Result> results = new SpeculationBench(target, draftFile, t, tokens)
                    .run(SpeculationBench.defaultConfigs());
            double base = results.getFirst().tokensPerSecond();
            double editBase = results.stream().filter(r -> r.config().editPrompts()
                    && r.config().mode() == dev.specd.plan.SpeculationMode.OFF).findFirst().orElseThrow().tokensPerSecond();
            StringBuilder csv = new StringBuilder("config,tokens,seconds,tokens_per_second,speedup,rounds,drafted,accepted,"
                    + "acceptance,mean_accepted_per_round,verified_fraction,agreement\n");
            StringBuilder json = new StringBuilder("[\n");
            System.out.printf("%-34s %9s %8s %10s %9s %9s%n", "config", "tok/s", "speedup", "acceptance", "verified",
                    "agreement");
            for (SpeculationBench.Result r : results) {
                double speedup = r.tokensPerSecond() / (r.config().editPrompts() ? editBase : base);
                double perRound = r.rounds() == 0 ? 0 : (double) r.accepted() / r.rounds() + 1;
                csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.3f,%.4f,%d,%d,%d,%.4f,%.3f,%.4f,%.4f%n",
                        r.config().name(), r.tokens(), r.seconds(), r.tokensPerSecond(), speedup, r.rounds(), r.drafted(),
                        r.accepted(), r.acceptance(), perRound, r.verifiedFraction(), r.agreement()));
                json.append(String.format(Locale.ROOT, "  {\"config\":\"%s\",\"tokens_per_second\":%.3f,\"speedup\":%.4f,"
                                + "\"acceptance\":%.4f,\"mean_accepted_per_round\":%.3f,\"verified_fraction\":%.4f,"
                                + "\"agreement\":%.4f}%s%n", r.config().name(), r.tokensPerSecond(), speedup,
                        r.acceptance(), perRound, r.verifiedFraction(), r.agreement(), r == results.getLast() ? "" : ","));
                System.out.printf(Locale.ROOT, "%-34s %9.2f %7.2fx %10.3f %9.3f %9.3f%n", r.config().name(),
                        r.tokensPerSecond(), speedup, r.acceptance(), r.verifiedFraction(), r.agreement());
            }
            json.append("]\n");
            Files.createDirectories(out);
            Files.writeString(out.resolve("speculation.csv"), csv);
            Files.writeString(out.resolve("speculation.json"), json);
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
