package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code specd bench drafters}: suffix decoding and drafter selection against single drafters, per workload. */
@Command(name = "drafters", mixinStandardHelpOptions = true,
        description = "Target-only vs prompt lookup vs suffix decoding vs the draft model vs drafter selection, "
                + "per workload (story, edit, repetitive agent loop, mixed), interleaved request by request.")
final class DraftersCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per request")
    int tokens;

    @Option(names = "--k", defaultValue = "8", description = "most tokens drafted per round")
    int k;

    @Option(names = "--workload", split = ",", defaultValue = "story,edit,repetitive,mixed",
            description = "story, edit, repetitive, mixed")
    List<String> workloads;

    @Option(names = "--agent-loop", defaultValue = "config/workloads/agent-loop.txt",
            description = "the repetitive workload: one prompt per line")
    Path agentLoop;

    @Option(names = "--configs", split = ",", defaultValue = "target,lookup,suffix,model,select")
    List<String> configs;

    @Option(names = "--limit", defaultValue = "0", description = "at most this many requests per workload (0 = all)")
    int limit;

    /** One configuration's totals on one workload. */
    record Summary(String workload, String config, int requests, int tokens, double seconds, double tokensPerSecond,
                   double speedup, int rounds, int drafted, int accepted, double acceptance,
                   Map<String, Integer> drafterRounds) {
    }

    @Override
    public Integer call() throws Exception {
        Path out = common.out;
        Files.createDirectories(out);
        DraftersBench bench = new DraftersBench(common.target(), draft.file(common), common.threads(), tokens, k);
        List<DraftersBench.Row> rows = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        Map<String, DraftersBench.SuffixStats> suffix = new TreeMap<>();
        for (var w : DraftersBench.workloads(workloads, agentLoop).entrySet()) {
            List<String> prompts = limit > 0 ? w.getValue().subList(0, Math.min(limit, w.getValue().size())) : w.getValue();
            System.err.printf("workload %s: %d requests x %d configurations%n", w.getKey(), prompts.size(), configs.size());
            List<DraftersBench.Row> mine = bench.run(w.getKey(), prompts, configs, suffix);
            rows.addAll(mine);
            summaries.addAll(summarise(w.getKey(), mine));
        }
        BenchTable.write(out, "drafters-requests", table(rows));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "drafters");
        json.put("tokens", tokens);
        json.put("k", k);
        json.put("summaries", summaries);
        json.put("suffix_trees", suffix);
        json.put("ratios", ratios(summaries));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("drafters.json").toFile(), json);
        Map<String, Map<String, Double>> chart = Charts.ordered();
        for (Summary s : summaries) chart.computeIfAbsent(s.config(), c -> Charts.ordered()).put(s.workload(), s.speedup());
        Charts.bars(out.resolve("drafters.png"), "Speed-up over target-only, per workload", "speed-up", chart);
        System.out.printf("%-11s %-8s %9s %8s %10s  %s%n", "workload", "config", "tok/s", "speedup", "acceptance", "rounds by drafter");
        for (Summary s : summaries) {
            System.out.printf(Locale.ROOT, "%-11s %-8s %9.2f %7.2fx %10.3f  %s%n", s.workload(), s.config(),
                    s.tokensPerSecond(), s.speedup(), s.acceptance(), s.drafterRounds());
        }
        ratios(summaries).forEach((k, v) -> System.out.printf(Locale.ROOT, "%s: %.3f%n", k, v));
        suffix.forEach((k, v) -> System.out.printf(Locale.ROOT, "suffix tree %s: %d nodes, %.1f MB; %.1f us per suffix draft%n",
                k, v.maxNodes(), v.maxBytes() / 1e6, v.draftRounds() == 0 ? 0 : v.draftNanos() / 1e3 / v.draftRounds()));
        System.out.println("wrote " + out.resolve("drafters.json") + ", drafters.png and drafters-requests.csv/.json");
        return 0;
    }

    private static List<Summary> summarise(String workload, List<DraftersBench.Row> rows) {
        Map<String, List<DraftersBench.Row>> byConfig = new LinkedHashMap<>();
        for (DraftersBench.Row r : rows) byConfig.computeIfAbsent(r.config(), c -> new ArrayList<>()).add(r);
        double base = byConfig.containsKey("target") ? rate(byConfig.get("target")) : Double.NaN;
        List<Summary> out = new ArrayList<>();
        byConfig.forEach((c, rs) -> {
            int tokens = rs.stream().mapToInt(DraftersBench.Row::tokens).sum();
            double seconds = rs.stream().mapToDouble(DraftersBench.Row::seconds).sum();
            int rounds = 0, drafted = 0, accepted = 0;
            Map<String, Integer> by = new TreeMap<>();
            for (DraftersBench.Row r : rs) {
                rounds += r.summary().rounds();
                drafted += r.summary().drafted();
                accepted += r.summary().accepted();
                r.summary().drafterRounds().forEach((d, n) -> by.merge(d, n, Integer::sum));
            }
            out.add(new Summary(workload, c, rs.size(), tokens, seconds, tokens / seconds, tokens / seconds / base,
                    rounds, drafted, accepted, drafted == 0 ? 0 : accepted / (double) drafted, by));
        });
        return out;
    }

    private static double rate(List<DraftersBench.Row> rows) {
        return rows.stream().mapToInt(DraftersBench.Row::tokens).sum() / rows.stream().mapToDouble(DraftersBench.Row::seconds).sum();
    }

    /** The goals as ratios measured side by side: suffix vs target-only and lookup, selection vs the best single drafter. */
    static Map<String, Double> ratios(List<Summary> summaries) {
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, Map<String, Double>> speed = new LinkedHashMap<>();
        for (Summary s : summaries) speed.computeIfAbsent(s.workload(), w -> new LinkedHashMap<>()).put(s.config(), s.tokensPerSecond());
        speed.forEach((w, m) -> {
            if (m.containsKey("suffix") && m.containsKey("target")) out.put(w + ": suffix / target-only", m.get("suffix") / m.get("target"));
            if (m.containsKey("suffix") && m.containsKey("lookup")) out.put(w + ": suffix / lookup", m.get("suffix") / m.get("lookup"));
            if (m.containsKey("select")) {
                double best = m.entrySet().stream().filter(e -> List.of("lookup", "suffix", "model").contains(e.getKey()))
                        .mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
                out.put(w + ": select / best single drafter", m.get("select") / best);
            }
        });
        return out;
    }

    private static List<Map<String, Object>> table(List<DraftersBench.Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DraftersBench.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", r.workload());
            m.put("config", r.config());
            m.put("request", r.request());
            m.put("tokens", r.tokens());
            m.put("seconds", r.seconds());
            m.put("rounds", r.summary().rounds());
            m.put("drafted", r.summary().drafted());
            m.put("accepted", r.summary().accepted());
            m.put("drafter_rounds", r.summary().drafterRounds().toString().replace(", ", ";").replace("=", ":"));
            out.add(m);
        }
        return out;
    }
}
