package dev.specd.bench;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speculation strategies side by side on one target/draft pair: target-only, lossless with fixed
 * k, SLM-first cascades at several τ, and prompt lookup on a prompt whose answer copies it. Every
 * configuration runs the same prompts one request at a time (latency, not throughput), greedy by
 * default or with a seeded {@link SamplingChain} (agreement then compares samples, not the target's
 * one answer), and
 * reports generated tokens per second of wall time (prefill included), acceptance, and for the
 * cascade the verified fraction and agreement with the target's own output.
 */
public final class SpeculationBench {

    /** One configuration to measure. */
    public record Config(String name, SpeculationMode mode, int k, double tau, boolean lookup, boolean editPrompts) {
    }

    /** Its result over all prompts. */
    public record Result(Config config, int tokens, double seconds, int rounds, int drafted, int accepted,
                         int verified, int unverified, double agreement) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }

        public double acceptance() {
            return drafted == 0 ? 0 : (double) accepted / drafted;
        }

        public double verifiedFraction() {
            return verified + unverified == 0 ? 1 : (double) verified / (verified + unverified);
        }
    }

    static final List<String> STORY_PROMPTS = List.of("Once upon a time", "Lily wanted to play with the big red ball",
            "The little dog ran to the park and", "Tom had a new toy car.", "One day, a girl named Sue went to the store.");

    /** "Rewrite" prompts: the answer continues text the prompt already holds, as edits and rewrites do. */
    static final List<String> EDIT_PROMPTS = List.of(
            edit("Once upon a time, there was a little girl named Lily. She loved to play with her toys and her friends. "
                    + "One day, Lily's mommy told her that they were going to the park to play. ", "Once upon a time, there was"),
            edit("Tom and Sue went to the park. They played on the swings and the slide. They were very happy. ",
                    "Tom and Sue went"));

    private static String edit(String text, String restart) {
        return text + text + restart;
    }

    private final Path target;
    private final Path draft;
    private final int threads;
    private final int tokens;
    private final SamplingParams sampling;

    public SpeculationBench(Path target, Path draft, int threads, int tokens) {
        this(target, draft, threads, tokens, SamplingParams.greedy());
    }

    /** @param sampling every request's sampling (seeded chains reproduce their runs) */
    public SpeculationBench(Path target, Path draft, int threads, int tokens, SamplingParams sampling) {
        this.sampling = sampling;
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
    }

    public static List<Config> defaultConfigs() {
        List<Config> c = new ArrayList<>();
        c.add(new Config("target-only", SpeculationMode.OFF, 0, 0, false, false));
        for (int k : new int[] {2, 4, 8}) c.add(new Config("lossless k=" + k, SpeculationMode.LOSSLESS, k, 0, false, false));
        for (double tau : new double[] {0.5, 0.7, 0.9}) {
            c.add(new Config("cascade tau=" + tau, SpeculationMode.CASCADE, 8, tau, false, false));
        }
        c.add(new Config("target-only (edit prompts)", SpeculationMode.OFF, 0, 0, false, true));
        c.add(new Config("prompt lookup k=8 (edit prompts)", SpeculationMode.LOSSLESS, 8, 0, true, true));
        return c;
    }

    public List<Result> run(List<Config> configs) {
        List<Result> results = new ArrayList<>();
        List<int[]> reference = null;
        List<int[]> editReference = null;
        for (Config c : configs) {
            List<int[]> outputs = new ArrayList<>();
            Result r = measure(c, outputs);
            if (c.mode() == SpeculationMode.OFF && !c.editPrompts()) reference = outputs;
            if (c.mode() == SpeculationMode.OFF && c.editPrompts()) editReference = outputs;
            List<int[]> ref = c.editPrompts() ? editReference : reference;
            double agreement = ref == null ? Double.NaN : agreement(ref, outputs);
            r = new Result(c, r.tokens(), r.seconds(), r.rounds(), r.drafted(), r.accepted(), r.verified(),
                    r.unverified(), agreement);
            results.add(r);
            System.err.printf("%-34s %7.2f tok/s  acceptance %.3f  verified %.3f  agreement %.3f%n", c.name(),
                    r.tokensPerSecond(), r.acceptance(), r.verifiedFraction(), r.agreement());
        }
        return results;
    }

    private Result measure(Config c, List<int[]> outputs) {
        CascadeSpec cascade = new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, c.tau(), 0.0, 32);
        BenchPlan bench = new BenchPlan(c.name(), c.mode(), c.k(), cascade, PolicySpec.STATIC, c.lookup());
        SpeculationSpec settings = bench.settings();
        try (LocalEngine engine = bench.open(target, draft, 2048, 1, threads, 16, EnergyAccount.unmetered())) {
            Pipeline loop = engine.pipeline();
            List<String> prompts = c.editPrompts() ? EDIT_PROMPTS : STORY_PROMPTS;
            generate(loop, tokenize(loop, prompts.getFirst()), 8, settings, new ArrayList<>()); // warm-up
            int total = 0, rounds = 0, drafted = 0, accepted = 0, verified = 0, unverified = 0;
            long nanos = 0;
            for (String prompt : prompts) {
                long t0 = System.nanoTime();
                List<Integer> out = new ArrayList<>();
                SpeculationSummary s = generate(loop, tokenize(loop, prompt), tokens, settings, out);
                nanos += System.nanoTime() - t0;
                total += out.size();
                outputs.add(out.stream().mapToInt(Integer::intValue).toArray());
                rounds += s.rounds();
                drafted += s.drafted();
                accepted += s.accepted();
                verified += s.verifiedTokens();
                unverified += s.unverifiedTokens();
            }
            return new Result(c, total, nanos / 1e9, rounds, drafted, accepted, verified, unverified, Double.NaN);
        }
    }

    private static int[] tokenize(Pipeline loop, String prompt) {
        return loop.target().vocab().tokenize(prompt, true, false);
    }

    private SpeculationSummary generate(Pipeline loop, int[] prompt, int n, SpeculationSpec s,
                                               List<Integer> out) {
        Collector.Completed c = Collector.run(loop, new GenerationRequest(prompt, sampling, n, List.of(),
                true, s));
        for (int x : c.tokens()) out.add(x);
        return c.done().speculation();
    }

    /** Share of generated tokens inside the common prefix with the target's own output. */
    static double agreement(List<int[]> reference, List<int[]> outputs) {
        long same = 0;
        long total = 0;
        for (int i = 0; i < reference.size(); i++) {
            int[] a = reference.get(i);
            int[] b = outputs.get(i);
            int n = 0;
            while (n < a.length && n < b.length && a[n] == b[n]) n++;
            same += n;
            total += a.length;
        }
        return total == 0 ? 1 : (double) same / total;
    }
}
