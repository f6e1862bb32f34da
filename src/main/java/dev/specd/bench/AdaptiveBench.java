package dev.specd.bench;

import dev.specd.energy.EnergyConfig;
import dev.specd.energy.EnergyMeters;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.runtime.EnergyAccount;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.PipelineProfile;
import dev.specd.runtime.ProfileData;
import dev.specd.runtime.RequestClass;
import dev.specd.runtime.SpeculationSettings;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.Telemetry;
import dev.specd.sched.EngineLoop;
import dev.specd.sched.SchedulerLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Draft-length policies side by side: target-only, static k = 1, 2, 4, 8, the heuristic and the
 * adaptive policy (both with k ≤ 8), one request at a time, on a workload. Each configuration gets
 * a fresh engine (a cold profile, calibrated at start as the server's would be) and one unmeasured
 * warm-up request, so the adaptive policy learns only from what it ran itself.
 */
public final class AdaptiveBench {

    public record Config(String name, SpeculationMode mode, int k, SpeculationPolicy policy) {
    }

    /** @param joules energy charged to the measured requests (source: {@link AdaptiveBench#energySource()}) */
    public record Result(Workload workload, Config config, int tokens, double seconds, int rounds, int drafted,
                         int accepted, double joules) {
        public double joulesPerToken() {
            return tokens == 0 ? 0 : joules / tokens;
        }

        public double tokensPerSecond() {
            return tokens / seconds;
        }

        public double acceptance() {
            return drafted == 0 ? 0 : (double) accepted / drafted;
        }

        /** Mean draft length over the rounds that drafted; steps without a draft are not rounds. */
        public double meanK() {
            return rounds == 0 ? 0 : (double) drafted / rounds;
        }
    }

    private final Path target;
    private final Path draft;
    private final int threads;
    private final int tokens;
    private final double stopConfidence;
    /** One meter for every configuration, as the server has one for all its pipelines. */
    private final EnergyAccount energy;

    /** @param stopConfidence the heuristic and adaptive policies' confidence early-stop threshold */
    public AdaptiveBench(Path target, Path draft, int threads, int tokens, double stopConfidence) {
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
        this.stopConfidence = stopConfidence;
        this.energy = new EnergyAccount(EnergyMeters.open(EnergyConfig.defaults()));
    }

    /** Where the joules come from: {@code rapl}, {@code nvml} or {@code model}. */
    public String energySource() {
        return energy.source();
    }

    public static List<Config> defaultConfigs() {
        List<Config> c = new ArrayList<>();
        c.add(new Config("target-only", SpeculationMode.OFF, 0, SpeculationPolicy.STATIC));
        for (int k : new int[] {1, 2, 4, 8}) c.add(new Config("static k=" + k, SpeculationMode.LOSSLESS, k,
                SpeculationPolicy.STATIC));
        c.add(new Config("heuristic k<=8", SpeculationMode.LOSSLESS, 8, SpeculationPolicy.HEURISTIC));
        c.add(new Config("adaptive k<=8", SpeculationMode.LOSSLESS, 8, SpeculationPolicy.ADAPTIVE));
        return c;
    }

    public Result run(Workload w, Config c) {
        PolicySpec policy = new PolicySpec(c.policy(), stopConfidence, PolicySpec.DEFAULT_REPROBE_EVERY);
        ModelRef targetRef = new ModelRef.File(target.toString(), Optional.empty(), Optional.empty());
        List<DraftPlan> drafters = new ArrayList<>();
        List<ModelBackend> draftModels = new ArrayList<>();
        if (c.mode() != SpeculationMode.OFF) {
            drafters.add(new DraftPlan.Model(new ModelRef.File(draft.toString(), Optional.empty(), Optional.empty()), 2048));
            draftModels.add(LlamaBackend.load(draft, LoadOptions.DEFAULT));
        }
        ExecutionPlan plan = new ExecutionPlan("bench", c.name(), targetRef, 2048, 1, threads, 0, 2048,
                RequestDefaults.OPENAI, "bench", c.mode(), drafters, c.k(), CascadeSpec.DEFAULT, policy, c.k() + 1,
                List.of());
        SpeculationSettings settings = c.mode() == SpeculationMode.OFF ? SpeculationSettings.OFF
                : new SpeculationSettings(c.mode(), c.k(), CascadeSpec.DEFAULT, policy);
        try (EngineLoop loop = new EngineLoop(plan, LlamaBackend.load(target, LoadOptions.DEFAULT), draftModels,
                new SchedulerLimits(16, Duration.ofHours(1)), Telemetry.NONE, energy,
                new PipelineProfile(plan.id()))) {
            generate(loop, w, 0, 16, settings); // warm-up; also waits out the start-up calibration
            int total = 0, rounds = 0, drafted = 0, accepted = 0;
            double joules = 0;
            long nanos = 0;
            for (int i = 0; i < w.prompts().size(); i++) {
                long t0 = System.nanoTime();
                Outcome o = generate(loop, w, i, tokens, settings);
                nanos += System.nanoTime() - t0;
                total += o.tokens();
                if (o.summary() == null) continue; // a generation that reported nothing
                if (o.summary().energy() != null) joules += o.summary().energy().joules();
                rounds += o.summary().rounds();
                drafted += o.summary().drafted();
                accepted += o.summary().accepted();
            }
            if (c.policy() == SpeculationPolicy.ADAPTIVE) System.err.println(describe(loop.profile(), w, c));
            return new Result(w, c, total, nanos / 1e9, rounds, drafted, accepted, joules);
        }
    }

    /** What the adaptive policy had learnt by the end: verify cost by batch size, α by position. */
    private static String describe(PipelineProfile profile, Workload w, Config c) {
        ProfileData d = profile.snapshot();
        StringBuilder s = new StringBuilder("profile after ").append(w.name()).append(" / ").append(c.name())
                .append(":\n  verify ms by batch tokens:");
        for (int t = 1; t <= Math.min(12, d.verifyNanos().length - 1); t++) {
            s.append(String.format(java.util.Locale.ROOT, " %d:%.1f", t, d.verifyNanos()[t] / 1e6));
        }
        s.append(String.format(java.util.Locale.ROOT, "%n  draft ms per token: %.2f", d.draftNanosPerToken() / 1e6));
        RequestClass cls = RequestClass.of(c.mode(), w.sampling(0));
        s.append("\n  alpha by position (").append(cls.key()).append("):");
        for (int i = 0; i < c.k(); i++) s.append(String.format(java.util.Locale.ROOT, " %.2f", profile.alpha(cls, i)));
        return s.toString();
    }

    private record Outcome(int tokens, SpeculationSummary summary) {
    }

    private static Outcome generate(EngineLoop loop, Workload w, int prompt, int n, SpeculationSettings s) {
        int[] tokens = loop.target().vocab().tokenize(w.prompts().get(prompt), true, false);
        Outcome[] out = new Outcome[1];
        loop.submit(new GenerationRequest(tokens, w.sampling(prompt), n, List.of(), true, s)).subscribe().asStream()
                .forEach(e -> {
                    if (e instanceof GenerationEvent.Done d) out[0] = new Outcome(d.completionTokens(), d.speculation());
                });
        if (out[0] == null) throw new IllegalStateException("generation ended without a result");
        return out[0];
    }
}
