package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code specd bench versus}: specd against llama.cpp's own continuous batching (de.kherud's server
 * loop with C parallel slots, in a child process) on the same target, draft, prompts and threads,
 * C concurrent greedy streams: target-only on both sides, llama.cpp's speculative decoding over a
 * small grid of its draft settings, and specd's static and adaptive speculation. Every cell runs
 * once per repeat, interleaved; medians and the ratios of like for like (target-only) and of the
 * best configurations are printed.
 */
@Command(name = "versus", mixinStandardHelpOptions = true,
        description = "specd vs llama.cpp's continuous batching (parallel slots), same pair, C streams.")
final class VersusCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--concurrency", defaultValue = "8", description = "concurrent streams (slots / sequences)")
    int concurrency;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per stream")
    int tokens;

    @Option(names = "--repeat", defaultValue = "2", description = "runs of every cell, interleaved")
    int repeat;

    @Option(names = "--draft-grid", defaultValue = "4:0.75,8:0.75,16:0.5,8:0.0", split = ",",
            description = "llama.cpp's draft settings to try, as draft_max:p_min")
    List<String> grid;

    @Override
    public Integer call() throws IOException, InterruptedException {
        int threads = common.threads();
        Path target = common.target();
        Path draftFile = draft.file(common);
        String prompts = String.join("|", SpeculationBench.STORY_PROMPTS);
        int longest = SpeculationBench.STORY_PROMPTS.stream().mapToInt(String::length).max().orElseThrow();
        int context = concurrency * (longest + tokens + 48);
        LoadBench specd = new LoadBench(target, draftFile, threads);
        List<LoadBench.Config> mine = List.of(
                new LoadBench.Config("specd target-only", SpeculationMode.OFF, 0, SpeculationPolicy.STATIC),
                new LoadBench.Config("specd static k=2", SpeculationMode.LOSSLESS, 2, SpeculationPolicy.STATIC),
                new LoadBench.Config("specd static k=4", SpeculationMode.LOSSLESS, 4, SpeculationPolicy.STATIC),
                new LoadBench.Config("specd adaptive k<=8", SpeculationMode.LOSSLESS, 8, SpeculationPolicy.ADAPTIVE));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int rep = 0; rep < repeat; rep++) {
            rows.add(peer(rep, "llama.cpp target-only", List.of(target.toString(), prompts, Integer.toString(tokens),
                    Integer.toString(threads), Integer.toString(concurrency), Integer.toString(context))));
            for (LoadBench.Config c : mine) {
                LoadBench.Result r = specd.run(c, concurrency, tokens);
                rows.add(row(rep, c.name(), r.tokens(), r.seconds(), r.ttftP50()));
                log(rows.getLast());
            }
            for (String cell : grid) {
                String[] g = cell.split(":");
                rows.add(peer(rep, "llama.cpp draft max=" + g[0] + " p_min=" + g[1], List.of(target.toString(), prompts,
                        Integer.toString(tokens), Integer.toString(threads), Integer.toString(concurrency),
                        Integer.toString(context), draftFile.toString(), g[0], "0", g[1])));
            }
        }
        summarize(rows);
        Files.createDirectories(common.out);
        String name = "versus-c" + concurrency;
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(common.out.resolve(name + ".json").toFile(),
                rows);
        StringBuilder csv = new StringBuilder("repeat,config,tokens,seconds,tokens_per_second,ttft_p50_ms\n");
        for (Map<String, Object> r : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%d,%.4f,%.3f,%.3f%n", r.get("repeat"), r.get("config"),
                    r.get("tokens"), r.get("seconds"), r.get("tokens_per_second"), r.get("ttft_p50_ms")));
        }
        Files.writeString(common.out.resolve(name + ".csv"), csv);
        System.out.println("wrote " + common.out.resolve(name + ".csv") + " and " + name + ".json");
        return 0;
    }

    private Map<String, Object> peer(int rep, String name, List<String> args) throws IOException, InterruptedException {
        String[] f = PeerProcess.run(LlamaCppLoadPeer.class, args).split(" ");
        Map<String, Object> row = row(rep, name, Integer.parseInt(f[0]), Long.parseLong(f[1]) / 1e9,
                Long.parseLong(f[2]) / 1e9);
        log(row);
        return row;
    }

    private static Map<String, Object> row(int rep, String name, int tokens, double seconds, double ttft) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("repeat", rep);
        row.put("config", name);
        row.put("tokens", tokens);
        row.put("seconds", seconds);
        row.put("tokens_per_second", tokens / seconds);
        row.put("ttft_p50_ms", ttft * 1e3);
        return row;
    }

    private static void log(Map<String, Object> r) {
        System.err.printf(Locale.ROOT, "repeat %s %-34s %8.2f tok/s%n", r.get("repeat"), r.get("config"),
                r.get("tokens_per_second"));
    }

    private static void summarize(List<Map<String, Object>> rows) {
        Map<String, List<Double>> by = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            by.computeIfAbsent((String) r.get("config"), k -> new ArrayList<>()).add((Double) r.get("tokens_per_second"));
        }
        Map<String, Double> median = new LinkedHashMap<>();
        by.forEach((k, v) -> median.put(k, v.stream().sorted().toList().get(v.size() / 2)));
        median.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-34s %9.2f tok/s%n", k, v));
        double peerOff = median.get("llama.cpp target-only");
        double specdOff = median.get("specd target-only");
        double peerBest = median.entrySet().stream().filter(e -> e.getKey().startsWith("llama.cpp"))
                .mapToDouble(Map.Entry::getValue).max().orElseThrow();
        double specdBest = median.entrySet().stream().filter(e -> e.getKey().startsWith("specd"))
                .mapToDouble(Map.Entry::getValue).max().orElseThrow();
        System.out.printf(Locale.ROOT, "target-only: specd / llama.cpp = %.3f%n", specdOff / peerOff);
        System.out.printf(Locale.ROOT, "best:        specd / llama.cpp = %.3f%n", specdBest / peerBest);
    }
}
