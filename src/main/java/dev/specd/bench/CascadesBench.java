package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.SchedulerLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cascade points: target-only, lossless speculation at fixed k, BiLD cascades over τ, and
 * speculative cascades (chow, diff, opt) over their alpha — each request's settings on one engine
 * with one draft-model preset, so that every prompt runs every configuration in turn (interleaved).
 * After timing, every output is scored by a separate decode with the target ({@link TargetScore}):
 * its NLL per token and its agreement with the target's greedy choices, the quality side of each
 * point.
 */
final class CascadesBench {

    /** One configuration: the settings each request carries. */
    record Config(String name, String family, double knob, SpeculationSpec settings) {
    }

    /** One request of one configuration, and the target's verdict on its output. */
    record Row(String config, int request, int tokens, double seconds, SpeculationSummary summary, TargetScore score) {
    }

    private final Path target;
    private final Path draft;
    private final int threads;
    private final int tokens;
    private final double temperature;

    CascadesBench(Path target, Path draft, int threads, int tokens, double temperature) {
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
        this.temperature = temperature;
    }

    static List<Config> configs(int k) {
        List<Config> c = new ArrayList<>();
        c.add(new Config("target-only", "target-only", 0, SpeculationSpec.OFF));
        for (int kk : new int[] {4, 8}) {
            c.add(new Config("lossless k=" + kk, "lossless", kk, SpeculationSpec.fixed(SpeculationMode.LOSSLESS, kk,
                    CascadeSpec.DEFAULT)));
        }
        for (double tau : new double[] {0.5, 0.7, 0.9}) {
            c.add(new Config("bild tau=" + tau, "bild", tau, SpeculationSpec.fixed(SpeculationMode.CASCADE, k,
                    new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, tau, 0.0, 32))));
        }
        addRule(c, CascadeSpec.Rule.CHOW, k, 0.1, 0.3, 0.5, 0.7, 0.9);
        addRule(c, CascadeSpec.Rule.DIFF, k, -0.1, 0.0, 0.05, 0.1, 0.2);
        addRule(c, CascadeSpec.Rule.OPT, k, 0.0, 0.25, 0.5, 0.75, 0.95);
        return c;
    }

    private static void addRule(List<Config> out, CascadeSpec.Rule rule, int k, double... alphas) {
        for (double a : alphas) {
            out.add(new Config(rule.wireName() + " alpha=" + a, rule.wireName(), a,
                    SpeculationSpec.fixed(SpeculationMode.CASCADE, k, CascadeSpec.speculative(rule, a))));
        }
    }

    List<Row> run(List<String> prompts, List<Config> configs) {
        List<int[]> encoded = new ArrayList<>();
        List<int[]> outputs = new ArrayList<>();
        List<Row> timed = new ArrayList<>();
        ModelRef.File draftRef = BenchPlan.file(draft);
        TargetSpec spec = new TargetSpec(BenchPlan.file(target), 4096, 1, threads, 0);
        ExecutionPlan plan = new ExecutionPlan("model", "cascades", spec, RequestDefaults.OPENAI, "bench",
                List.of(new DraftPlan.Model(draftRef, 4096)), new SpeculationSpec(SpeculationMode.LOSSLESS, 8,
                CascadeSpec.DEFAULT, PolicySpec.STATIC), List.of());
        try (LocalEngine engine = LocalEngine.builder(LlamaBackend.load(target, LoadOptions.DEFAULT), spec)
                .draft(draftRef.key(), LlamaBackend.load(draft, LoadOptions.DEFAULT)).ownModels()
                .limits(new SchedulerLimits(16, Duration.ofHours(1))).pipeline(plan).start()) {
            var pipeline = engine.pipeline();
            for (String p : prompts) encoded.add(pipeline.target().vocab().tokenize(p, true, false));
            for (Config c : configs) generate(pipeline, encoded.getFirst(), 8, c, 0); // warm-up
            for (int i = 0; i < encoded.size(); i++) {
                for (Config c : configs) {
                    long t0 = System.nanoTime();
                    Collector.Completed done = generate(pipeline, encoded.get(i), tokens, c, i);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    outputs.add(done.tokens());
                    timed.add(new Row(c.name(), i, done.tokens().length, seconds, done.done().speculation(), null));
                }
            }
        }
        // Scored after the engine closed: a separate target, so no decode competes with the timed ones.
        List<Row> rows = new ArrayList<>();
        try (LlamaBackend scorer = LlamaBackend.load(target, LoadOptions.DEFAULT)) {
            for (int j = 0; j < timed.size(); j++) {
                Row r = timed.get(j);
                rows.add(new Row(r.config(), r.request(), r.tokens(), r.seconds(), r.summary(),
                        TargetScore.of(scorer, encoded.get(r.request()), outputs.get(j), threads)));
            }
        }
        return rows;
    }

    private Collector.Completed generate(dev.specd.sched.Pipeline p, int[] prompt, int n, Config c, int i) {
        SamplingParams sampling = temperature == 0 ? SamplingParams.greedy()
                : SamplingParams.defaults().withTemperature(temperature).withSeed(1000 + i);
        return Collector.run(p, new GenerationRequest(prompt, sampling, n, List.of(), true, c.settings()));
    }
}
