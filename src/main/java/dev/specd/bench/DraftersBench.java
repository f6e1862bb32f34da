package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.DraftSelection;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.SchedulerLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drafters side by side on workloads: target-only, prompt lookup, suffix decoding, the draft model,
 * and drafter selection over all three — presets of one engine, so every request of a workload runs
 * on each of them in turn (interleaved: a busy machine slows them alike). Greedy, one request at a
 * time; a fresh engine per workload, so the suffix tree over earlier requests holds that workload's
 * earlier requests only. Also reports the suffix tree's size and the host time of a suffix draft.
 */
final class DraftersBench {

    static final List<String> CONFIGS = List.of("target", "lookup", "suffix", "model", "select");

    /** One request of one configuration. */
    record Row(String workload, String config, int request, int tokens, double seconds, SpeculationSummary summary) {
    }

    /** What the engine reported about suffix trees and suffix drafting while a workload ran. */
    record SuffixStats(int maxNodes, long maxBytes, long draftRounds, long draftNanos) {
    }

    private final Path target;
    private final Path draft;
    private final int threads;
    private final int tokens;
    private final int k;

    DraftersBench(Path target, Path draft, int threads, int tokens, int k) {
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
        this.k = k;
    }

    /** The named workloads: story, edit, repetitive (the agent-loop file), mixed (the three interleaved). */
    static Map<String, List<String>> workloads(List<String> names, Path agentLoop) throws IOException {
        List<String> repetitive = Files.readAllLines(agentLoop).stream().filter(l -> !l.isBlank()).toList();
        Map<String, List<String>> out = Charts.ordered();
        for (String n : names) {
            out.put(n, switch (n) {
                case "story" -> SpeculationBench.STORY_PROMPTS;
                case "edit" -> SpeculationBench.EDIT_PROMPTS;
                case "repetitive" -> repetitive;
                case "mixed" -> interleave(SpeculationBench.STORY_PROMPTS, SpeculationBench.EDIT_PROMPTS, repetitive);
                default -> throw new IllegalArgumentException("unknown workload " + n
                        + ": use story, edit, repetitive or mixed");
            });
        }
        return out;
    }

    private static List<String> interleave(List<String> a, List<String> b, List<String> c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), Math.max(b.size(), c.size())); i++) {
            if (i < a.size()) out.add(a.get(i));
            if (i < b.size()) out.add(b.get(i));
            if (i < c.size()) out.add(c.get(i));
        }
        return out;
    }

    List<Row> run(String workload, List<String> prompts, List<String> configs, Map<String, SuffixStats> suffix) {
        Map<String, long[]> stats = new ConcurrentHashMap<>();
        Telemetry observe = new Telemetry() {
            @Override
            public void suffixTree(String pipeline, int nodes, long bytes, int sequences) {
                long[] s = stats.computeIfAbsent(pipeline, p -> new long[4]);
                s[0] = Math.max(s[0], nodes);
                s[1] = Math.max(s[1], bytes);
            }

            @Override
            public void round(String pipeline, SpeculationMode mode, RoundRecord round) {
                if (!round.drafter().equals("suffix")) return;
                long[] s = stats.computeIfAbsent(pipeline, p -> new long[4]);
                s[2]++;
                s[3] += round.draftNanos();
            }
        };
        List<Row> rows = new ArrayList<>();
        try (LocalEngine engine = open(configs, observe)) {
            for (String c : configs) generate(engine, c, prompts.getFirst(), 8); // warm-up (not in the suffix tree's way: a story opening)
            for (int i = 0; i < prompts.size(); i++) {
                for (String c : configs) {
                    long t0 = System.nanoTime();
                    Collector.Completed done = generate(engine, c, prompts.get(i), tokens);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    rows.add(new Row(workload, c, i, done.tokens().length, seconds, done.done().speculation()));
                }
            }
        }
        stats.forEach((p, s) -> suffix.put(workload + "/" + p, new SuffixStats((int) s[0], s[1], s[2], s[3])));
        return rows;
    }

    private Collector.Completed generate(LocalEngine engine, String config, String prompt, int n) {
        var pipeline = engine.pipeline(config);
        int[] tokens = pipeline.target().vocab().tokenize(prompt, true, false);
        return Collector.run(pipeline, new GenerationRequest(tokens, SamplingParams.greedy(), n, List.of(), true,
                pipeline.plan().speculation()));
    }

    private LocalEngine open(List<String> configs, Telemetry telemetry) {
        ModelRef.File draftRef = BenchPlan.file(draft);
        int context = 4096;
        TargetSpec spec = new TargetSpec(BenchPlan.file(target), context, 1, threads, 0);
        LocalEngine.Builder b = LocalEngine.builder(LlamaBackend.load(target, LoadOptions.DEFAULT), spec)
                .draft(draftRef.key(), LlamaBackend.load(draft, LoadOptions.DEFAULT)).ownModels()
                .limits(new SchedulerLimits(16, Duration.ofHours(1))).telemetry(telemetry);
        DraftPlan model = new DraftPlan.Model(draftRef, context);
        DraftPlan lookup = new DraftPlan.Lookup(1, 4);
        DraftPlan suffix = new DraftPlan.Suffix(32, 1.0, 0.1, true, 1 << 18);
        SpeculationSpec lossless = new SpeculationSpec(SpeculationMode.LOSSLESS, k, CascadeSpec.DEFAULT, PolicySpec.STATIC);
        for (String c : configs) {
            b.pipeline(switch (c) {
                case "target" -> preset(c, spec, List.of(), SpeculationSpec.OFF);
                case "lookup" -> preset(c, spec, List.of(lookup), lossless);
                case "suffix" -> preset(c, spec, List.of(suffix), lossless);
                case "model" -> preset(c, spec, List.of(model), lossless);
                case "select" -> preset(c, spec, List.of(model, lookup, suffix),
                        lossless.withSelection(DraftSelection.ADAPTIVE));
                default -> throw new IllegalArgumentException("unknown configuration " + c + ": use " + CONFIGS);
            });
        }
        return b.start();
    }

    private static ExecutionPlan preset(String id, TargetSpec spec, List<DraftPlan> drafters, SpeculationSpec s) {
        return new ExecutionPlan(id, id, spec, RequestDefaults.OPENAI, "bench", drafters, s, List.of());
    }
}
