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
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {OverheadCommand.class, BenchCommand.Speculation.class, RoundCommand.class,
        BenchCommand.Load.class, AdaptiveCommand.class},
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

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Concurrent streams through one engine loop: throughput, TTFT, ITL and TPOT, "
                    + "target-only and lossless k=4.")
    static final class Load implements Callable<Integer> {

        @Mixin
        Common common;

        @Mixin
        DraftOption draft;

        @Option(names = "--tokens", defaultValue = "64", description = "tokens per stream")
        int tokens;

        @Option(names = "--concurrency", defaultValue = "1,4,16", split = ",",
                description = "concurrent streams (= sequences of the loop), one run each")
        List<Integer> concurrency;

        @Override
        public Integer call() throws IOException, InterruptedException {
            int t = common.threads();
            Path out = common.out;
            Path target = common.target();
            Path draftFile = draft.file(common);
            System.err.printf("target %s, draft %s, %d tokens per stream, %d threads%n", target, draftFile, tokens, t);
            LoadBench bench = new LoadBench(target, draftFile, t);
            List<LoadBench.Result> results = new java.util.ArrayList<>();
            for (LoadBench.Config c : LoadBench.defaultConfigs()) {
                for (int n : concurrency) {
                    results.add(bench.run(c, n, tokens));
                    LoadBench.Result r = results.getLast();
                    System.err.printf(Locale.ROOT, "%-13s C=%-3d %8.2f tok/s in %.2f s%n", c.name(), n,
                            r.tokensPerSecond(), r.seconds());
                }
            }
            StringBuilder csv = new StringBuilder("config,concurrency,tokens_per_stream,tokens,seconds,tokens_per_second,"
                    + "ttft_p50_ms,ttft_p99_ms,itl_p50_ms,itl_p99_ms,tpot_p50_ms,tpot_p99_ms,acceptance,mean_k\n");
            StringBuilder json = new StringBuilder("[\n");
            String header = String.format("%-13s %3s %9s %10s %10s %10s %10s %10s %10s %6s", "config", "C", "tok/s",
                    "ttft p50", "itl p50", "itl p99", "tpot p50", "tpot p99", "acceptance", "mean k");
            System.out.println(header + "\n" + "-".repeat(header.length()));
            for (LoadBench.Result r : results) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.3f%n",
                        r.config().name(), r.concurrency(), r.tokensPerStream(), r.tokens(), r.seconds(),
                        r.tokensPerSecond(), r.ttftP50() * 1e3, r.ttftP99() * 1e3, r.itlP50() * 1e3, r.itlP99() * 1e3,
                        r.tpotP50() * 1e3, r.tpotP99() * 1e3, r.acceptance(), r.meanK()));
                json.append(String.format(Locale.ROOT, "  {\"config\":\"%s\",\"concurrency\":%d,\"tokens_per_stream\":%d,"
                                + "\"seconds\":%.4f,\"tokens_per_second\":%.3f,\"ttft_p50_ms\":%.3f,\"ttft_p99_ms\":%.3f,"
                                + "\"itl_p50_ms\":%.3f,\"itl_p99_ms\":%.3f,\"tpot_p50_ms\":%.3f,\"tpot_p99_ms\":%.3f,"
                                + "\"acceptance\":%s,\"mean_k\":%.3f}%s%n", r.config().name(), r.concurrency(), r.tokensPerStream(),
                        r.seconds(), r.tokensPerSecond(), r.ttftP50() * 1e3, r.ttftP99() * 1e3, r.itlP50() * 1e3,
                        r.itlP99() * 1e3, r.tpotP50() * 1e3, r.tpotP99() * 1e3,
                        Double.isNaN(r.acceptance()) ? "null" : String.format(Locale.ROOT, "%.4f", r.acceptance()),
                        r.meanK(), r == results.getLast() ? "" : ","));
                System.out.printf(Locale.ROOT, "%-13s %3d %9.2f %8.1fms %8.1fms %8.1fms %8.1fms %8.1fms %10s %6.2f%n",
                        r.config().name(), r.concurrency(), r.tokensPerSecond(), r.ttftP50() * 1e3, r.itlP50() * 1e3,
                        r.itlP99() * 1e3, r.tpotP50() * 1e3, r.tpotP99() * 1e3,
                        Double.isNaN(r.acceptance()) ? "-" : String.format(Locale.ROOT, "%.3f", r.acceptance()),
                        r.meanK());
            }
            json.append("]\n");
            Files.createDirectories(out);
            Files.writeString(out.resolve("load.csv"), csv);
            Files.writeString(out.resolve("load.json"), json);
            Map<String, Map<Double, Double>> throughput = Charts.ordered();
            Map<String, Map<Double, Double>> tpot = Charts.ordered();
            for (LoadBench.Result r : results) {
                throughput.computeIfAbsent(r.config().name(), n -> Charts.ordered())
                        .put((double) r.concurrency(), r.tokensPerSecond());
                tpot.computeIfAbsent(r.config().name(), n -> Charts.ordered())
                        .put((double) r.concurrency(), r.tpotP50() * 1e3);
            }
            Charts.lines(out.resolve("load-throughput.png"), "Throughput by concurrent streams", "concurrent streams",
                    "tokens/s", throughput);
            Charts.lines(out.resolve("load-tpot.png"), "Time per output token (p50) by concurrent streams",
                    "concurrent streams", "ms", tpot);
            System.out.println("wrote " + out.resolve("load.csv") + ", load.json, load-throughput.png and load-tpot.png");
            return 0;
        }
    }

    /** Models from SPECD_MODELS_DIR, the cache, a download or the forge, as the server finds them. */
    public static ModelResolver resolver() {
        return new ModelResolver(modelDirs(), CacheDirs.root(), true, Forge::forge, "forge-v" + Forge.VERSION);
    }

    static List<Path> modelDirs() {
        String dirs = Optional.ofNullable(System.getenv("SPECD_MODELS_DIR")).orElse("");
        return Arrays.stream(dirs.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
    }
}
