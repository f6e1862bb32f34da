package dev.specd.bench;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.RequestClass;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sched.LocalEngine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    private final Path draft;
    private final int threads;
    private final int tokens;
    private final double stopConfidence;
    private final EnergyAccount energy;

    /**
     * @param stopConfidence the heuristic and adaptive policies' confidence early-stop threshold
     * @param energy         one meter for every configuration, as the server has one for all its pipelines
     */
    public AdaptiveBench(Path draft, int threads, int tokens, double stopConfidence, EnergyAccount energy) {
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
        this.stopConfidence = stopConfidence;
        this.energy = energy;
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

    /** One configuration on one workload, with {@code target} verifying. */
    public Result run(Path target, Workload w, Config c) {
        PolicySpec policy = new PolicySpec(c.policy(), stopConfidence, PolicySpec.DEFAULT_REPROBE_EVERY);
        BenchPlan bench = new BenchPlan(c.name(), c.mode(), c.k(), CascadeSpec.DEFAULT, policy, false);
        SpeculationSpec settings = bench.settings();
        try (LocalEngine engine = bench.open(target, draft, 2048, 1, threads, 16, energy)) {
            var loop = engine.pipeline();
            w.run(loop, 0, 0, 16, settings); // warm-up; also waits out the start-up calibration
            int total = 0, rounds = 0, drafted = 0, accepted = 0;
            double joules = 0;
            long nanos = 0;
            for (int i = 0; i < w.prompts().size(); i++) {
                long t0 = System.nanoTime();
                GenerationEvent.Done d = w.run(loop, i, i, tokens, settings);
                nanos += System.nanoTime() - t0;
                total += d.completionTokens();
                SpeculationSummary s = d.speculation();
                if (s == null) continue; // a generation that reported nothing
                if (s.energy() != null) joules += s.energy().joules();
                rounds += s.rounds();
                drafted += s.drafted();
                accepted += s.accepted();
            }
            if (c.policy() == SpeculationPolicy.ADAPTIVE) {
                // What the adaptive policy had learnt by the end.
                System.err.println("profile after " + w.name() + " / " + c.name() + ":\n"
                        + loop.profile().report(RequestClass.of(c.mode(), w.sampling(0)), c.k()));
            }
            return new Result(w, c, total, nanos / 1e9, rounds, drafted, accepted, joules);
        }
    }
}
