package dev.specd.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code specd bench load}: C concurrent greedy streams through one in-process engine, reporting
 * throughput, TTFT, ITL and TPOT. By default per configuration (target-only, static lossless k = 4,
 * adaptive), each on an engine of its own; with {@code --mixed}, streams spread evenly over the
 * four presets of one engine (target-only, lossless adaptive, cascade, lookup — as the embedded
 * pipelines), against the same engine serving target-only streams alone.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Concurrent streams through one engine: throughput, TTFT, ITL and TPOT.")
final class LoadCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per stream")
    int tokens;

    @Option(names = "--concurrency", split = ",",
            description = "concurrent streams (= sequences of the engine), one run each; default 1,4,16 "
                    + "(1,4,16,32 with --mixed)")
    List<Integer> concurrency;

    @Option(names = "--mixed", description = "streams spread over four presets of one engine, against target-only")
    boolean mixed;

    @Option(names = "--repeat", defaultValue = "1", description = "runs of every cell, interleaved")
    int repeat;

    @Option(names = "--batch-invariant", description = "engines decode each sequence alone, with an F32 KV cache")
    boolean batchInvariant;

    @Override
    public Integer call() throws IOException, InterruptedException {
        int t = common.threads();
        Path out = common.out;
        Path target = common.target();
        Path draftFile = draft.file(common);
        List<Integer> levels = concurrency != null ? concurrency : mixed ? List.of(1, 4, 16, 32) : List.of(1, 4, 16);
        System.err.printf("target %s, draft %s, %d tokens per stream, %d threads%n", target, draftFile, tokens, t);
        LoadBench bench = new LoadBench(target, draftFile, t, batchInvariant);
        List<LoadBench.Result> results = new ArrayList<>();
        for (int rep = 0; rep < repeat; rep++) {
            for (int n : levels) {
                if (mixed) {
                    // Side by side, alternating: the same engine, all streams target-only, then mixed.
                    results.add(report(bench.runMixed("target-only", List.of("target"), n, tokens)));
                    results.add(report(bench.runMixed("mixed", BenchPlan.MIXED_PRESETS, n, tokens)));
                } else {
                    for (LoadBench.Config c : LoadBench.defaultConfigs()) results.add(report(bench.run(c, n, tokens)));
                }
            }
        }
        print(results);
        String name = (mixed ? "load-mixed" : "load") + (batchInvariant ? "-invariant" : "");
        write(out, name, results);
        return 0;
    }

    private static LoadBench.Result report(LoadBench.Result r) {
        System.err.printf(Locale.ROOT, "%-13s C=%-3d %8.2f tok/s in %.2f s%n", r.config().name(), r.concurrency(),
                r.tokensPerSecond(), r.seconds());
        return r;
    }

    private static void print(List<LoadBench.Result> results) {
        String header = String.format("%-13s %3s %9s %10s %10s %10s %10s %10s %10s %6s", "config", "C", "tok/s",
                "ttft p50", "itl p50", "itl p99", "tpot p50", "tpot p99", "acceptance", "mean k");
        System.out.println(header + "\n" + "-".repeat(header.length()));
        for (LoadBench.Result r : results) {
            System.out.printf(Locale.ROOT, "%-13s %3d %9.2f %8.1fms %8.1fms %8.1fms %8.1fms %8.1fms %10s %6.2f%n",
                    r.config().name(), r.concurrency(), r.tokensPerSecond(), r.ttftP50() * 1e3, r.itlP50() * 1e3,
                    r.itlP99() * 1e3, r.tpotP50() * 1e3, r.tpotP99() * 1e3,
                    Double.isNaN(r.acceptance()) ? "-" : String.format(Locale.ROOT, "%.3f", r.acceptance()), r.meanK());
        }
    }

    /** One row per result, as the CSV's columns and the JSON's fields. */
    private static Map<String, Object> row(LoadBench.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", r.config().name());
        m.put("concurrency", r.concurrency());
        m.put("tokens_per_stream", r.tokensPerStream());
        m.put("tokens", r.tokens());
        m.put("seconds", r.seconds());
        m.put("tokens_per_second", r.tokensPerSecond());
        m.put("ttft_p50_ms", r.ttftP50() * 1e3);
        m.put("ttft_p99_ms", r.ttftP99() * 1e3);
        m.put("itl_p50_ms", r.itlP50() * 1e3);
        m.put("itl_p99_ms", r.itlP99() * 1e3);
        m.put("tpot_p50_ms", r.tpotP50() * 1e3);
        m.put("tpot_p99_ms", r.tpotP99() * 1e3);
        m.put("acceptance", r.acceptance());
        m.put("mean_k", r.meanK());
        return m;
    }

    private static void write(Path out, String name, List<LoadBench.Result> results) throws IOException {
        BenchTable.write(out, name, results.stream().map(LoadCommand::row).toList());
        Map<String, Map<Double, Double>> throughput = Charts.ordered();
        Map<String, Map<Double, Double>> tpot = Charts.ordered();
        for (LoadBench.Result r : results) {
            // With --repeat the last run of a cell is plotted; the CSV keeps every run.
            throughput.computeIfAbsent(r.config().name(), n -> Charts.ordered())
                    .put((double) r.concurrency(), r.tokensPerSecond());
            tpot.computeIfAbsent(r.config().name(), n -> Charts.ordered()).put((double) r.concurrency(), r.tpotP50() * 1e3);
        }
        Charts.lines(out.resolve(name + "-throughput.png"), "Throughput by concurrent streams", "concurrent streams",
                "tokens/s", throughput);
        Charts.lines(out.resolve(name + "-tpot.png"), "Time per output token (p50) by concurrent streams",
                "concurrent streams", "ms", tpot);
        System.out.println("wrote " + out.resolve(name + ".csv") + ", " + name + ".json, " + name + "-throughput.png and "
                + name + "-tpot.png");
    }
}
