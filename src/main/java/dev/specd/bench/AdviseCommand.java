package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PipelineSpecParser;
import dev.specd.runtime.adaptive.SpeedupModel;
import dev.specd.runtime.observe.EnergyAccount;
import picocli.CommandLine;
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
 * {@code specd advise}: which drafter, and which draft length, for a target on this machine. Each
 * candidate gets one engine (its start-up calibration measures the costs) and a short profile run
 * at static k = 8; the closed form of {@link SpeedupModel} predicts every k from the counted
 * acceptance and the measured costs; the best candidate × k is written as a pipeline spec.
 */
@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Profile candidate drafters for a target, predict speed-up per draft length, and write the "
                + "recommended pipeline YAML and advice.json.")
public final class AdviseCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, description = "target GGUF path or model name")
    String target;

    @Option(names = "--draft", required = true, description = "candidate drafter: a GGUF path, a model name, or "
            + "'lookup' (prompt lookup); repeat for more")
    List<String> drafts;

    @Option(names = "--workload", defaultValue = "high-acceptance",
            description = "high-acceptance, sampled, adversarial, edits, or a file with one prompt per line")
    String workload;

    @Option(names = "--tokens", defaultValue = "64", description = "tokens per prompt")
    int tokens;

    @Option(names = "--prompts", defaultValue = "4", description = "the workload's first n prompts")
    int prompts;

    @Option(names = "--threads", defaultValue = "0", description = "decode threads (0 = one per core)")
    int threads;

    @Option(names = "--out", defaultValue = "advise-out", description = "directory for advice.json and the pipeline YAML")
    Path out;

    @Option(names = "--id", defaultValue = "advised", description = "id of the written pipeline")
    String id;

    @Option(names = "--verify", description = "measure the recommended configuration against target-only")
    boolean verify;

    public static int run(String... args) {
        return new CommandLine(new AdviseCommand()).execute(args);
    }

    /** What every candidate shares. */
    record Setup(ModelRef targetRef, Path targetFile, Workload workload, int prompts, int tokens, int threads,
                 EnergyAccount energy) {
    }

    @Override
    public Integer call() throws Exception {
        ModelRef targetRef = DraftCandidate.modelRef(target);
        Workload w = Workload.named(workload);
        int n = Math.min(Math.max(1, prompts), w.prompts().size());
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Setup setup = new Setup(targetRef, BenchCommand.resolver().resolve(targetRef), w, n, tokens, t,
                new EnergyAccount(EnergyMeters.open(EnergyConfig.defaults())));
        System.err.printf("target %s, workload %s (%d prompts, %d tokens), %d threads, energy %s%n", setup.targetFile(),
                w.name(), n, tokens, t, setup.energy().source());
        List<Prediction> predictions = new ArrayList<>();
        for (String d : drafts) {
            DraftCandidate c = DraftCandidate.parse(d);
            System.err.println("profiling " + c.label() + " ...");
            try (CandidateRun run = new CandidateRun(setup.targetFile(), c, draftFile(c), t, setup.energy())) {
                predictions.add(run.profile(w, n, tokens));
            }
        }
        Recommendation r = Recommendation.choose(predictions);
        print(predictions, r);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", setup.targetFile().toString());
        json.put("workload", w.name());
        json.put("temperature", w.temperature());
        json.put("prompts", n);
        json.put("tokens", tokens);
        json.put("threads", t);
        json.put("energy_source", setup.energy().source());
        json.put("quality", "lossless: every configuration samples the target's own distribution (identical to "
                + "target-only by construction); only speed and energy differ");
        json.put("candidates", predictions.stream().map(Prediction::toMap).toList());
        json.put("recommendation", recommendation(r));
        if (verify) json.put("verify", verify(setup, predictions, r));
        Files.createDirectories(out);
        String yaml = PipelineYaml.write(id, targetRef, r, 4096, 4);
        PipelineSpecParser.parse(yaml, id + ".yaml"); // never write a spec the server would refuse
        Files.writeString(out.resolve(id + ".yaml"), yaml);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("advice.json").toFile(), json);
        System.out.println("wrote " + out.resolve(id + ".yaml") + " and " + out.resolve("advice.json"));
        return 0;
    }

    private static Path draftFile(DraftCandidate c) {
        return c.model().map(m -> BenchCommand.resolver().resolve(m)).orElse(null);
    }

    private static void print(List<Prediction> predictions, Recommendation r) {
        System.out.printf("%-32s %7s %6s %6s %7s %6s %9s %9s %9s%n", "draft", "rounds", "α0", "mean α", "c", "best k",
                "speed-up", "tok/s", "J/token");
        for (Prediction p : predictions) {
            SpeedupModel.Point b = p.best();
            Double j = p.joulesPerToken(b.k());
            System.out.printf(Locale.ROOT, "%-32s %7d %6.3f %6.3f %7.4f %6d %8.3fx %9.2f %9s%n", shorten(p.candidate().label()),
                    p.rounds(), p.model().alphas()[0], p.meanAlpha(), p.model().costRatio(), b.k(), b.speedup(),
                    b.tokensPerSecond(), j == null ? "-" : String.format(Locale.ROOT, "%.4f", j));
            StringBuilder ks = new StringBuilder("    speed-up by k:");
            for (SpeedupModel.Point q : p.model().points()) ks.append(String.format(Locale.ROOT, " %d:%.2f", q.k(), q.speedup()));
            System.out.println(ks);
        }
        System.out.println(r.targetOnly() ? "recommendation: target-only (no candidate predicted above "
                + (1 + Recommendation.MARGIN) + "x)"
                : String.format(Locale.ROOT, "recommendation: %s, lossless, static k=%d: predicted %.3fx",
                r.pick().orElseThrow().candidate().label(), r.k(), r.speedup()));
        System.out.println("quality: lossless (the target's own distribution, by construction)");
    }

    static Map<String, Object> recommendation(Recommendation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.targetOnly()) {
            m.put("mode", "off");
            m.put("reason", "no candidate predicted a speed-up above " + (1 + Recommendation.MARGIN));
            return m;
        }
        Prediction p = r.pick().orElseThrow();
        m.put("mode", "lossless");
        m.put("draft", p.candidate().label());
        m.put("k", r.k());
        m.put("policy", "static");
        m.put("predicted_speedup", r.speedup());
        m.put("predicted_tokens_per_second", p.model().point(r.k()).tokensPerSecond());
        m.put("predicted_joules_per_token", p.joulesPerToken(r.k()));
        return m;
    }

    /**
     * Measures the recommended configuration (or, when target-only won, the best speculating one, so
     * that its prediction is still checked) against target-only on the same prompts, interleaved.
     */
    private static Map<String, Object> verify(Setup s, List<Prediction> predictions, Recommendation r) {
        Optional<Prediction> which = r.pick().or(() -> Recommendation.bestSpeculating(predictions));
        Map<String, Object> m = new LinkedHashMap<>();
        if (which.isEmpty()) return m;
        Prediction p = which.get();
        int k = r.targetOnly() ? Recommendation.bestK(p) : r.k();
        System.err.printf("verifying %s at k=%d against target-only ...%n", p.candidate().label(), k);
        CandidateRun.Comparison c;
        try (CandidateRun run = new CandidateRun(s.targetFile(), p.candidate(), draftFile(p.candidate()), s.threads(),
                s.energy())) {
            run.warmUp(s.workload());
            c = run.compare(s.workload(), s.prompts(), s.tokens(), k);
        }
        // The model predicts decoding; a request also waits for its prefill, the same with or without
        // a draft, so the end-to-end prediction adds target-only's measured time to first event.
        double predictedDecode = p.model().point(k).speedup();
        double predicted = c.endToEnd(predictedDecode);
        double ratio = c.speedup() / predicted;
        m.put("draft", p.candidate().label());
        m.put("k", k);
        m.put("measured_speedup", c.speedup());
        m.put("predicted_speedup", predicted);
        m.put("measured_over_predicted", ratio);
        m.put("within_15_percent", Math.abs(ratio - 1) <= 0.15);
        m.put("measured_decode_speedup", c.decodeSpeedup());
        m.put("predicted_decode_speedup", predictedDecode);
        m.put("decode_measured_over_predicted", c.decodeSpeedup() / predictedDecode);
        m.put("target_only_tokens_per_second", c.targetOnly().tokensPerSecond());
        m.put("speculative_tokens_per_second", c.speculative().tokensPerSecond());
        m.put("predicted_tokens_per_second", p.model().point(k).tokensPerSecond());
        m.put("target_only_joules_per_token", finiteOrNull(c.targetOnly().joulesPerToken(), s.energy()));
        m.put("speculative_joules_per_token", finiteOrNull(c.speculative().joulesPerToken(), s.energy()));
        m.put("identical_outputs", identical(c));
        System.out.printf(Locale.ROOT, "verify %s k=%d: measured %.3fx (%.2f vs %.2f tok/s), predicted %.3fx, "
                        + "measured/predicted %.3f%s; decoding alone %.3fx vs %.3fx predicted%n", p.candidate().label(), k,
                c.speedup(), c.speculative().tokensPerSecond(), c.targetOnly().tokensPerSecond(), predicted, ratio,
                Math.abs(ratio - 1) <= 0.15 ? " (within ±15 %)" : " (outside ±15 %)", c.decodeSpeedup(), predictedDecode);
        return m;
    }

    static Double finiteOrNull(double v, EnergyAccount energy) {
        return energy.metered() && Double.isFinite(v) ? v : null;
    }

    /** Greedy lossless output must equal target-only's token for token (sampled ones need not: other random draws). */
    static boolean identical(CandidateRun.Comparison c) {
        List<int[]> a = c.speculative().outputs(), b = c.targetOnly().outputs();
        for (int i = 0; i < a.size(); i++) if (!java.util.Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    private static String shorten(String s) {
        return s.length() <= 32 ? s : "…" + s.substring(s.length() - 31);
    }
}
