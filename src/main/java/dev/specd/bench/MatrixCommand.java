package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.runtime.observe.EnergyAccount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code specd bench matrix}: every workload × every configuration, with speed, energy and quality. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = "Workloads (config/workloads/*.yaml) x configurations: target-only, draft-only, lossless k=1,2,4,8, "
                + "heuristic, adaptive, BiLD cascades (tau x rollback), prompt lookup, llama.cpp target-only and its "
                + "speculative decoding (best of a grid). Speed-up, J/token, target NLL, agreement, the analytical optimum.")
final class MatrixCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--workloads", defaultValue = "config/workloads",
            description = "a directory of workload files, or a comma-separated list of files; default ${DEFAULT-VALUE}")
    String workloads;

    @Option(names = "--quick", description = "2 prompts, at most 32 tokens, the ends of each grid (about 10 minutes)")
    boolean quick;

    @Option(names = "--prompts", defaultValue = "0", description = "first n prompts of each workload (0 = all; --quick: 2)")
    int prompts;

    @Option(names = "--max-tokens", defaultValue = "0", description = "cap on each workload's max_tokens (0 = none; --quick: 32)")
    int maxTokens;

    @Option(names = "--repeat", defaultValue = "1", description = "run every prompt set this many times (interleaved)")
    int repeat;

    @Option(names = "--configs", split = ",", description = "only configurations whose names start with these "
            + "(target-only always runs)")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        List<Workload> ws = workloads();
        List<MatrixConfig> configs = MatrixConfig.all(quick).stream()
                .filter(c -> only == null || c.name().equals("target-only") || only.stream().anyMatch(c.name()::startsWith))
                .toList();
        int n = prompts > 0 ? prompts : quick ? 2 : 0;
        int cap = maxTokens > 0 ? maxTokens : quick ? 32 : 0;
        EnergyConfig energyConfig = EnergyConfig.defaults();
        EnergyAccount energy = new EnergyAccount(EnergyMeters.open(energyConfig));
        var peerEnergy = new MatrixBench.EnergyModel(energyConfig.wattsPerCore(), energyConfig.idleWatts(),
                energyConfig.idleShare());
        Path draftFile = draft.file(common);
        List<MatrixAnalysis.Point> points = new ArrayList<>();
        List<MatrixAnalysis.Summary> summaries = new ArrayList<>();
        List<Map<String, Object>> requests = new ArrayList<>();
        Path out = common.out;
        Files.createDirectories(out);
        for (Workload w : ws) {
            Path target = target(w);
            int tokens = cap > 0 ? Math.min(cap, w.tokens(64)) : w.tokens(64);
            System.err.printf("workload %s: %s, target %s, %d tokens per request%n", w.name(), w.description(), target, tokens);
            var bench = new MatrixBench(draftFile, common.threads(), tokens, repeat, energy, peerEnergy);
            Workload capped = new Workload(w.name(), w.description(), w.prompts(), w.temperature(), w.topP(), tokens,
                    w.targetEpsilon());
            MatrixBench.Result r = bench.run(capped, target, configs, n);
            List<MatrixAnalysis.Point> ps = MatrixAnalysis.points(r);
            MatrixAnalysis.Summary s = MatrixAnalysis.summary(r, ps);
            points.addAll(ps);
            summaries.add(s);
            r.runs().forEach(x -> requests.add(request(w, x, r.prompts().get(x.prompt()).length)));
            print(ps, s);
            MatrixPlots.workload(out, w.name(), ps);
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        ObjectMapper mapper = new ObjectMapper();
        BenchTable.write(out, "matrix", points.stream().map(p -> row(mapper, p)).toList());
        BenchTable.write(out, "matrix-requests", requests);
        MatrixPlots.speedups(out, points);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "matrix");
        json.put("command", command(spec.commandLine().getParseResult().originalArgs()));
        json.put("machine", Machine.describe(common.threads()));
        json.put("finished", Instant.now().toString());
        json.put("minutes", minutes);
        json.put("quick", quick);
        json.put("repeat", repeat);
        json.put("energy_source", energy.source());
        json.put("draft", draftFile.getFileName().toString());
        json.put("summaries", summaries);
        json.put("points", points);
        mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("matrix.json").toFile(), json);
        System.out.printf(Locale.ROOT, "matrix: %d workloads x %d configurations in %.1f minutes; wrote %s (and .csv, "
                + "matrix-requests.csv, plots)%n", ws.size(), configs.size(), minutes, out.resolve("matrix.json"));
        return 0;
    }

    /** The command as run, less its --out (the report names where the results now are). */
    static String command(List<String> args) {
        List<String> kept = new ArrayList<>();
        // Picocli's original arguments start at the top command: skip to this one's.
        int from = args.indexOf("matrix") + 1;
        for (int i = from; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--out")) {
                i++;
                continue;
            }
            if (!a.startsWith("--out=")) kept.add(a.contains(" ") ? "'" + a + "'" : a);
        }
        return String.join(" ", List.of("specd", "bench", "matrix")) + (kept.isEmpty() ? "" : " " + String.join(" ", kept));
    }

    private List<Workload> workloads() {
        Path dir = Path.of(workloads);
        if (Files.isDirectory(dir)) return Workload.loadAll(dir);
        return java.util.Arrays.stream(workloads.split(",")).map(String::strip).map(Workload::named).toList();
    }

    /** The workload's target: --model, else the test bed's, forged at the workload's ε when it asks for one. */
    private Path target(Workload w) {
        if (common.model.isPresent() || w.targetEpsilon().isEmpty() || !common.testbed.equals("stories")) {
            return common.target();
        }
        return BenchCommand.resolver().resolve(BenchCommand.forgedTarget(Double.toString(w.targetEpsilon().get())));
    }

    private static Map<String, Object> row(ObjectMapper mapper, MatrixAnalysis.Point p) {
        return mapper.convertValue(p, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    private static Map<String, Object> request(Workload w, MatrixBench.Run x, int promptTokens) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", w.name());
        m.put("config", x.config().name());
        m.put("prompt", x.prompt());
        m.put("prompt_tokens", promptTokens);
        m.put("tokens", x.tokens());
        m.put("seconds", x.seconds());
        m.put("first_event_seconds", x.firstSeconds());
        m.put("first_event_tokens", x.firstTokens());
        m.put("joules", Double.isNaN(x.joules()) ? null : x.joules());
        m.put("rounds", x.summary() == null ? null : x.summary().rounds());
        m.put("drafted", x.summary() == null ? null : x.summary().drafted());
        m.put("accepted", x.summary() == null ? null : x.summary().accepted());
        m.put("unverified", x.summary() == null ? null : x.summary().unverifiedTokens());
        m.put("nll", x.score().nll());
        m.put("scored_tokens", x.score().tokens());
        return m;
    }

    private static void print(List<MatrixAnalysis.Point> ps, MatrixAnalysis.Summary s) {
        System.out.printf("%-32s %8s %8s %8s %9s %8s %7s %7s %7s %9s%n", "config", "tok/s", "speedup", "decode", "J/token",
                "NLL", "NLL+%", "prefix", "accept", "meas/pred");
        for (MatrixAnalysis.Point p : ps) {
            System.out.printf(Locale.ROOT, "%-32s %8.2f %7.3fx %7.3fx %9s %8.4f %6.2f%% %7.3f %7s %9s%n", p.config(),
                    p.tokensPerSecond(), p.speedup(), p.decodeSpeedup(), p.joulesPerToken() == null ? "-" : fmt(p.joulesPerToken()),
                    p.meanNll(), 100 * p.nllIncrease(), p.prefixAgreement(),
                    p.acceptance() == null ? "-" : fmt(p.acceptance()),
                    p.measuredOverPredicted() == null ? "-" : fmt(p.measuredOverPredicted()));
        }
        if (s.optimum() != null) {
            System.out.printf(Locale.ROOT, "optimum: k=%d predicted %.3fx; alphas %s; cost ratio %.3f%n", s.optimum().bestK(),
                    s.optimum().predictedSpeedup(), java.util.Arrays.toString(round(s.optimum().alphas())),
                    s.optimum().costRatio());
        }
        System.out.printf(Locale.ROOT, "best lossless %s %s; best llama.cpp %s %s; specd/llama.cpp %s; adaptive/optimum %s; "
                        + "adaptive/best static %s; cascade within 2%% NLL: %s %s%n", s.bestLossless(),
                fmt(s.bestLosslessSpeedup()), s.bestLlamaCpp(), fmt(s.bestLlamaCppSpeedup()), fmt(s.specdOverLlamaCpp()),
                fmt(s.adaptiveOverOptimum()), fmt(s.adaptiveOverBestStatic()), s.bestCascade(), fmt(s.bestCascadeSpeedup()));
    }

    private static double[] round(double[] a) {
        return java.util.Arrays.stream(a).map(x -> Math.round(x * 1000) / 1000.0).toArray();
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
