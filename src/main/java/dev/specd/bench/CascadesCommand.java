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
import java.util.concurrent.Callable;

/** {@code specd bench cascades}: cost–quality points of lossless speculation, BiLD and speculative cascades. */
@Command(name = "cascades", mixinStandardHelpOptions = true,
        description = "Target-only, lossless k=4,8, BiLD tau, and speculative cascades (chow, diff, opt) over alpha: "
                + "speed-up against the target's NLL and agreement (scored by a separate target decode).")
final class CascadesCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per request")
    int tokens;

    @Option(names = "--k", defaultValue = "8", description = "draft length of cascades")
    int k;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy; otherwise seeded sampling")
    double temperature;

    @Option(names = "--prompts", defaultValue = "0", description = "only the first n story prompts (0 = all)")
    int prompts;

    @Option(names = "--configs", split = ",", description = "only configurations whose names start with these")
    List<String> only;

    /** One configuration's point. */
    record Point(String config, String family, double knob, int tokens, double seconds, double tokensPerSecond,
                 double speedup, double meanNll, double nllIncrease, double agreement, double acceptance,
                 double verifiedFraction, int deferred) {
    }

    @Override
    public Integer call() throws Exception {
        List<CascadesBench.Config> configs = CascadesBench.configs(k).stream()
                .filter(c -> only == null || c.name().equals("target-only") || only.stream().anyMatch(c.name()::startsWith))
                .toList();
        List<String> ps = prompts > 0 ? SpeculationBench.STORY_PROMPTS.subList(0, Math.min(prompts,
                SpeculationBench.STORY_PROMPTS.size())) : SpeculationBench.STORY_PROMPTS;
        List<CascadesBench.Row> rows = new CascadesBench(common.target(), draft.file(common), common.threads(), tokens,
                temperature).run(ps, configs);
        List<Point> points = points(configs, rows);
        Path out = common.out;
        Files.createDirectories(out);
        List<Map<String, Object>> table = new ArrayList<>();
        for (CascadesBench.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("config", r.config());
            m.put("request", r.request());
            m.put("tokens", r.tokens());
            m.put("seconds", r.seconds());
            m.put("rounds", r.summary().rounds());
            m.put("drafted", r.summary().drafted());
            m.put("accepted", r.summary().accepted());
            m.put("deferred", r.summary().deferred());
            m.put("unverified", r.summary().unverifiedTokens());
            m.put("nll", r.score().nll());
            m.put("agreed", r.score().agreed());
            table.add(m);
        }
        BenchTable.write(out, "cascades-requests", table);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "cascades");
        json.put("tokens", tokens);
        json.put("temperature", temperature);
        json.put("points", points);
        json.put("goals", goals(points));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("cascades.json").toFile(), json);
        Map<String, Map<Double, Double>> chart = Charts.ordered();
        for (Point p : points) chart.computeIfAbsent(p.family(), f -> Charts.ordered()).put(p.speedup(), p.meanNll());
        Charts.lines(out.resolve("cascades.png"), "Cost and quality: speed-up against the target's NLL per token",
                "speed-up over target-only", "target NLL per token", chart);
        System.out.printf("%-18s %9s %8s %8s %9s %10s %9s %8s%n", "config", "tok/s", "speedup", "NLL", "NLL +%",
                "agreement", "verified", "deferred");
        for (Point p : points) {
            System.out.printf(Locale.ROOT, "%-18s %9.2f %7.2fx %8.4f %8.2f%% %10.3f %9.3f %8d%n", p.config(),
                    p.tokensPerSecond(), p.speedup(), p.meanNll(), 100 * p.nllIncrease(), p.agreement(),
                    p.verifiedFraction(), p.deferred());
        }
        goals(points).forEach((g, v) -> System.out.println(g + ": " + v));
        System.out.println("wrote " + out.resolve("cascades.json") + ", cascades.png and cascades-requests.csv/.json");
        return 0;
    }

    private static List<Point> points(List<CascadesBench.Config> configs, List<CascadesBench.Row> rows) {
        List<Point> out = new ArrayList<>();
        double baseRate = Double.NaN;
        double baseNll = Double.NaN;
        for (CascadesBench.Config c : configs) {
            List<CascadesBench.Row> rs = rows.stream().filter(r -> r.config().equals(c.name())).toList();
            int tokens = rs.stream().mapToInt(CascadesBench.Row::tokens).sum();
            double seconds = rs.stream().mapToDouble(CascadesBench.Row::seconds).sum();
            TargetScore score = rs.stream().map(CascadesBench.Row::score).reduce(TargetScore.ZERO, TargetScore::plus);
            int drafted = rs.stream().mapToInt(r -> r.summary().drafted()).sum();
            int accepted = rs.stream().mapToInt(r -> r.summary().accepted()).sum();
            int verified = rs.stream().mapToInt(r -> r.summary().verifiedTokens()).sum();
            int deferred = rs.stream().mapToInt(r -> r.summary().deferred()).sum();
            if (c.family().equals("target-only")) {
                baseRate = tokens / seconds;
                baseNll = score.meanNll();
            }
            out.add(new Point(c.name(), c.family(), c.knob(), tokens, seconds, tokens / seconds, tokens / seconds / baseRate,
                    score.meanNll(), score.meanNll() / baseNll - 1, score.agreement(),
                    drafted == 0 ? 0 : accepted / (double) drafted, tokens == 0 ? 1 : verified / (double) tokens, deferred));
        }
        return out;
    }

    /** The goals, as measured: what beats the best lossless point within 2 % NLL, and the speed-up at ≥ 95 % agreement. */
    private static Map<String, String> goals(List<Point> points) {
        Map<String, String> out = new LinkedHashMap<>();
        Point bestLossless = points.stream().filter(p -> p.family().equals("lossless"))
                .max(java.util.Comparator.comparingDouble(Point::speedup)).orElse(null);
        if (bestLossless != null) out.put("best lossless", bestLossless.config() + " " + fmt(bestLossless.speedup()) + "x");
        points.stream().filter(p -> !List.of("target-only", "lossless").contains(p.family()) && p.nllIncrease() <= 0.02)
                .max(java.util.Comparator.comparingDouble(Point::speedup)).ifPresent(p -> out.put(
                        "fastest cascade within 2 % NLL", p.config() + " " + fmt(p.speedup()) + "x"
                                + (bestLossless == null ? "" : " (" + fmt(p.speedup() / bestLossless.speedup()) + " of the best lossless)")));
        points.stream().filter(p -> !p.family().equals("target-only") && p.agreement() >= 0.95)
                .max(java.util.Comparator.comparingDouble(Point::speedup)).ifPresent(p -> out.put(
                        "fastest at >= 95 % agreement", p.config() + " " + fmt(p.speedup()) + "x"));
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
