package dev.specd.bench;

import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.observe.EnergyAccount;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code specd bench adaptive}: draft-length policies on a high-acceptance and an adversarial workload. */
@Command(name = "adaptive", mixinStandardHelpOptions = true,
        description = "Target-only vs static k=1,2,4,8 vs heuristic vs adaptive, on a high-acceptance (greedy) "
                + "and an adversarial (temperature 1.5) workload.")
final class AdaptiveCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per prompt")
    int tokens;

    @Option(names = "--workload", split = ",", defaultValue = "high-acceptance,adversarial",
            description = "workloads: high-acceptance, adversarial, sampled, edits, or prompt files")
    List<String> workloads;

    @Option(names = "--adversarial-model", description = "target for the adversarial workload (default: the "
            + "default target's recipe forged with epsilon 0.12, which the draft predicts badly: acceptance ~0.3)")
    Optional<Path> adversarialModel;

    @Option(names = "--stop-confidence", defaultValue = "0.4",
            description = "confidence early-stop threshold of the heuristic and adaptive policies (0 = off)")
    double stopConfidence;

    @Option(names = "--configs", split = ",", description = "only the configurations whose names start with these")
    List<String> only;

    @Override
    public Integer call() throws IOException {
        int t = common.threads();
        Path target = common.target();
        Path draftFile = draft.file(common);
        System.err.printf("target %s, draft %s, %d tokens per prompt, %d threads%n", target, draftFile, tokens, t);
        EnergyAccount energy = new EnergyAccount(EnergyMeters.open(EnergyConfig.defaults()));
        AdaptiveBench bench = new AdaptiveBench(draftFile, t, tokens, stopConfidence, energy);
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Map<String, Double>> speedup = Charts.ordered();
        Map<String, Map<String, Double>> joules = Charts.ordered();
        System.out.printf("%-16s %-16s %9s %9s %9s %10s %7s %8s%n", "workload", "config", "tok/s", "vs off", "vs best k",
                "acceptance", "mean k", "J/token");
        for (String name : workloads) {
            Workload w = Workload.named(name);
            Path verifier = target;
            if (w.name().equals(Workload.adversarial().name())) {
                verifier = adversarialModel.orElseGet(() -> BenchCommand.resolver()
                        .resolve(BenchCommand.forgedTarget("0.12")));
                System.err.printf("adversarial workload: target %s%n", verifier);
            }
            List<AdaptiveBench.Result> rs = new ArrayList<>();
            for (AdaptiveBench.Config c : AdaptiveBench.defaultConfigs()) {
                if (only != null && c.mode() != SpeculationMode.OFF
                        && only.stream().noneMatch(o -> c.name().startsWith(o))) continue;
                rs.add(bench.run(verifier, w, c));
                System.err.printf(Locale.ROOT, "%s / %s: %.2f tok/s%n", w.name(), c.name(), rs.getLast().tokensPerSecond());
            }
            double off = rs.getFirst().tokensPerSecond();
            double bestStatic = rs.stream().filter(r -> r.config().name().startsWith("static"))
                    .mapToDouble(AdaptiveBench.Result::tokensPerSecond).max().orElse(off);
            Map<String, Double> bars = speedup.computeIfAbsent(w.name(), n -> Charts.ordered());
            Map<String, Double> perToken = joules.computeIfAbsent(w.name(), n -> Charts.ordered());
            for (AdaptiveBench.Result r : rs) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("workload", w.name());
                row.put("config", r.config().name());
                row.put("tokens", r.tokens());
                row.put("seconds", r.seconds());
                row.put("tokens_per_second", r.tokensPerSecond());
                row.put("vs_target_only", r.tokensPerSecond() / off);
                row.put("vs_best_static", r.tokensPerSecond() / bestStatic);
                row.put("rounds", r.rounds());
                row.put("drafted", r.drafted());
                row.put("accepted", r.accepted());
                row.put("acceptance", r.acceptance());
                row.put("mean_k", r.meanK());
                row.put("joules_per_token", r.joulesPerToken());
                row.put("energy_source", energy.source().toString());
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-16s %-16s %9.2f %8.3fx %8.3fx %10.3f %7.2f %8.4f%n", w.name(),
                        r.config().name(), r.tokensPerSecond(), r.tokensPerSecond() / off, r.tokensPerSecond() / bestStatic,
                        r.acceptance(), r.meanK(), r.joulesPerToken());
                bars.put(r.config().name(), r.tokensPerSecond() / off);
                perToken.put(r.config().name(), r.joulesPerToken());
            }
        }
        BenchTable.write(common.out, "adaptive", rows);
        Charts.bars(common.out.resolve("adaptive.png"), "Draft-length policies: speed-up over target-only",
                "x target-only", speedup);
        Charts.bars(common.out.resolve("adaptive-energy.png"), "Energy per generated token (source: "
                + energy.source() + ")", "J/token", joules);
        System.out.println("wrote " + common.out.resolve("adaptive.csv") + ", adaptive.json, adaptive.png and adaptive-energy.png");
        return 0;
    }
}
