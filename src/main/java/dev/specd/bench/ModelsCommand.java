package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.runtime.adaptive.SpeedupModel;
import dev.specd.runtime.observe.EnergyAccount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code specd bench models}: which draft for which target. For each pair (draft families per
 * target size, and one draft against targets of rising divergence ε): acceptance by position,
 * cost ratio c, the closed form's best k and speed-up, the speed-up measured at that k against
 * target-only on the same engine (interleaved per prompt), J/token, and the target's NLL of both
 * outputs (lossless: they must match). Ends with the fit: measured ÷ predicted per pair.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Model-selection study: draft families and target sizes; predicted (SpeedupModel) vs measured speed-up.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "only the 52M target, 2 prompts, 32 tokens")
    boolean quick;

    @Option(names = "--prompts", defaultValue = "4", description = "the workload's first n prompts")
    int prompts;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per prompt")
    int tokens;

    @Option(names = "--workload", defaultValue = "high-acceptance", description = "high-acceptance, sampled, ... or a file")
    String workload;

    @Option(names = "--threads", defaultValue = "0", description = "decode threads (0 = one per core)")
    int threads;

    @Option(names = "--out", defaultValue = "bench-out", description = "directory for models.csv/.json and plots")
    Path out;

    @Override
    public Integer call() throws Exception {
        int n = quick ? 2 : prompts;
        int len = quick ? 32 : tokens;
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Workload w = Workload.named(workload);
        n = Math.min(n, w.prompts().size());
        EnergyAccount energy = new EnergyAccount(EnergyMeters.open(EnergyConfig.defaults()));
        System.err.printf("models study: %s, %d prompts x %d tokens, %d threads, energy %s%n", w.name(), n, len, t,
                energy.source());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelPair pair : ModelPair.study(quick)) {
            long t0 = System.nanoTime();
            Path targetFile = BenchCommand.resolver().resolve(pair.targetRef());
            Path draftFile = BenchCommand.resolver().resolve(pair.draftRef());
            DraftCandidate c = new DraftCandidate(pair.draft(), Optional.of(pair.draftRef()));
            Prediction p;
            CandidateRun.Comparison m;
            try (CandidateRun run = new CandidateRun(targetFile, c, draftFile, t, energy)) {
                p = run.profile(w, n, len);
                // Measured where the closed form says to draft; at its best k >= 1 when it says not to.
                int k = p.best().k() > 0 ? p.best().k() : Recommendation.bestK(p);
                m = run.compare(w, n, len, k);
            }
            TargetScore spec = TargetScore.ZERO, off = TargetScore.ZERO;
            try (LlamaBackend scorer = LlamaBackend.load(targetFile, LoadOptions.DEFAULT)) {
                for (int i = 0; i < n; i++) {
                    spec = spec.plus(TargetScore.of(scorer, m.speculative().prompts().get(i), m.speculative().outputs().get(i), t));
                    off = off.plus(TargetScore.of(scorer, m.targetOnly().prompts().get(i), m.targetOnly().outputs().get(i), t));
                }
            }
            rows.add(row(pair, p, m, spec, off, energy));
            System.err.printf(Locale.ROOT, "%s / %s: %.0f s%n", pair.target(), pair.draft(), (System.nanoTime() - t0) / 1e9);
        }
        print(rows);
        Map<String, Object> fit = fit(rows);
        BenchTable.write(out, "models", rows);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "models");
        json.put("workload", w.name());
        json.put("prompts", n);
        json.put("tokens", len);
        json.put("threads", t);
        json.put("energy_source", energy.source());
        json.put("pairs", rows);
        json.put("fit", fit);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("models-summary.json").toFile(), json);
        plots(rows);
        fit.forEach((k, v) -> System.out.println(k + ": " + v));
        System.out.println("wrote " + out.resolve("models.csv") + ", models.json, models-summary.json, "
                + "models-alpha.png/.svg and models-fit.png/.svg");
        return 0;
    }

    private static Map<String, Object> row(ModelPair pair, Prediction p, CandidateRun.Comparison m, TargetScore spec,
                                           TargetScore off, EnergyAccount energy) {
        SpeedupModel.Point at = p.model().point(m.k());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", pair.target());
        r.put("target_params", pair.targetParams());
        r.put("draft", pair.draft());
        r.put("axis", pair.axis());
        r.put("rounds", p.rounds());
        double[] a = p.model().alphas();
        for (int i = 0; i < a.length; i++) r.put("alpha_" + i, a[i]);
        r.put("mean_alpha", p.meanAlpha());
        r.put("cost_ratio", p.model().costRatio());
        r.put("verify_1_ms", p.model().verifyNanos()[1] / 1e6);
        r.put("draft_step_ms", p.model().draftNanos() / 1e6);
        r.put("overhead_ms", p.model().overheadNanos() / 1e6);
        r.put("best_k", p.best().k());
        r.put("measured_k", m.k());
        // End to end, as measured: the decode prediction plus target-only's measured time to first event.
        double predicted = m.endToEnd(at.speedup());
        r.put("predicted_speedup", predicted);
        r.put("measured_speedup", m.speedup());
        r.put("measured_over_predicted", m.speedup() / predicted);
        r.put("predicted_decode_speedup", at.speedup());
        r.put("measured_decode_speedup", m.decodeSpeedup());
        r.put("target_only_tokens_per_second", m.targetOnly().tokensPerSecond());
        r.put("speculative_tokens_per_second", m.speculative().tokensPerSecond());
        r.put("predicted_tokens_per_second", at.tokensPerSecond());
        r.put("target_only_joules_per_token", orNaN(AdviseCommand.finiteOrNull(m.targetOnly().joulesPerToken(), energy)));
        r.put("speculative_joules_per_token", orNaN(AdviseCommand.finiteOrNull(m.speculative().joulesPerToken(), energy)));
        r.put("predicted_joules_per_token", orNaN(p.joulesPerToken(m.k())));
        r.put("target_only_nll", off.meanNll());
        r.put("speculative_nll", spec.meanNll());
        r.put("identical_outputs", AdviseCommand.identical(m));
        return r;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v; // BenchTable writes NaN as an empty cell and JSON null
    }

    private static double num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }

    /** The rule: how well the closed form predicts the measured speed-up, pair by pair. */
    static Map<String, Object> fit(List<Map<String, Object>> rows) {
        Map<String, Object> f = new LinkedHashMap<>();
        double abs = 0, rel = 0;
        int within = 0;
        for (Map<String, Object> r : rows) {
            double pred = num(r, "predicted_speedup"), meas = num(r, "measured_speedup");
            abs += Math.abs(meas - pred);
            rel += Math.abs(meas / pred - 1);
            if (Math.abs(meas / pred - 1) <= 0.15) within++;
        }
        f.put("rule", "speed-up(k) = E(k) / T(k) x T(0), E(k) = sum_{j<=k} prod_{i<j} alpha_i, "
                + "T(k) = verify(1 + k) + k x draft + overhead (SpeedupModel)");
        f.put("pairs", rows.size());
        f.put("mean_absolute_error", rows.isEmpty() ? Double.NaN : abs / rows.size());
        f.put("mean_relative_error", rows.isEmpty() ? Double.NaN : rel / rows.size());
        f.put("pairs_within_15_percent", within);
        return f;
    }

    private static void print(List<Map<String, Object>> rows) {
        System.out.printf("%-12s %-14s %6s %6s %7s %5s %9s %9s %7s %9s %9s %5s%n", "target", "draft", "α0", "mean α", "c",
                "k", "predicted", "measured", "ratio", "J/tok off", "J/tok k", "same");
        for (Map<String, Object> r : rows) {
            System.out.printf(Locale.ROOT, "%-12s %-14s %6.3f %6.3f %7.4f %5s %8.3fx %8.3fx %7.3f %9.4f %9.4f %5s%n",
                    r.get("target"), r.get("draft"), num(r, "alpha_0"), num(r, "mean_alpha"), num(r, "cost_ratio"),
                    r.get("best_k") + "/" + r.get("measured_k"), num(r, "predicted_speedup"), num(r, "measured_speedup"),
                    num(r, "measured_over_predicted"), num(r, "target_only_joules_per_token"),
                    num(r, "speculative_joules_per_token"), r.get("identical_outputs"));
        }
    }

    private void plots(List<Map<String, Object>> rows) throws java.io.IOException {
        Map<String, List<double[]>> byCost = Charts.ordered();
        for (String band : List.of("c < 0.05", "0.05 <= c < 0.2", "0.2 <= c < 0.5", "c >= 0.5")) byCost.put(band, new ArrayList<>());
        Map<String, List<double[]>> fit = Charts.ordered();
        for (Map<String, Object> r : rows) {
            double c = num(r, "cost_ratio");
            String band = c < 0.05 ? "c < 0.05" : c < 0.2 ? "0.05 <= c < 0.2" : c < 0.5 ? "0.2 <= c < 0.5" : "c >= 0.5";
            byCost.get(band).add(new double[] {num(r, "mean_alpha"), num(r, "measured_speedup")});
            fit.computeIfAbsent((String) r.get("target"), x -> new ArrayList<>())
                    .add(new double[] {num(r, "predicted_speedup"), num(r, "measured_speedup")});
        }
        Files.createDirectories(out);
        Charts.scatter(out.resolve("models-alpha.png"), "Measured speed-up against mean acceptance, by cost ratio c",
                "mean alpha (positions 0-7)", "measured speed-up over target-only", byCost, false);
        Charts.scatter(out.resolve("models-fit.png"), "Predicted (SpeedupModel) against measured speed-up",
                "predicted speed-up", "measured speed-up", fit, true);
    }
}
