package dev.specd.bench;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.GenerationSink;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Serving under load: C concurrent greedy streams (all submitted at once, each generating N tokens
 * with end-of-generation ignored) through one in-process engine loop with C sequences, as the
 * server would batch them. Per stream it records when each token arrives and derives throughput
 * (all tokens / wall time), time to first token, inter-token latency (gaps between consecutive
 * tokens, pooled over streams) and time per output token ((last − first) / (n − 1) per stream, as
 * vLLM reports it). With speculation the tokens of a round arrive together, so inter-token latency
 * has many ~0 gaps and a long gap per round: TPOT is the fairer per-stream speed.
 */
public final class LoadBench {

    /** A pipeline shape to load. */
    public record Config(String name, SpeculationMode mode, int k, SpeculationPolicy policy) {
    }

    /** One (config, concurrency) cell; times in seconds. */
    public record Result(Config config, int concurrency, int tokensPerStream, int tokens, double seconds,
                         double ttftP50, double ttftP99, double itlP50, double itlP99, double tpotP50, double tpotP99,
                         double acceptance, double meanK) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /** Token arrival times of one stream; written on the engine thread, read after its end. */
    private static final class Recorder implements GenerationSink {
        final long submitted;
        final long[] arrivals;
        int n;
        SpeculationSummary summary;
        Throwable failure;

        Recorder(long submitted, int tokens) {
            this.submitted = submitted;
            this.arrivals = new long[tokens];
        }

        CountDownLatch ended;

        @Override
        public void onEvent(GenerationEvent e) {
            long now = System.nanoTime();
            if (e instanceof GenerationEvent.Text t) {
                for (int i = 0; i < t.tokens().length && n < arrivals.length; i++) arrivals[n++] = now;
            } else if (e instanceof GenerationEvent.Done d) {
                summary = d.speculation();
                ended.countDown();
            }
        }

        @Override
        public void onFailure(SchedulerException e) {
            failure = e;
            ended.countDown();
        }
    }

    private final Path target;
    private final Path draft;
    private final int threads;

    private final boolean batchInvariant;

    public LoadBench(Path target, Path draft, int threads) {
        this(target, draft, threads, false);
    }

    /** @param batchInvariant engines decode each sequence alone (see {@code Engine}) */
    public LoadBench(Path target, Path draft, int threads, boolean batchInvariant) {
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.batchInvariant = batchInvariant;
    }

    public static List<Config> defaultConfigs() {
        return List.of(new Config("target-only", SpeculationMode.OFF, 0, SpeculationPolicy.STATIC),
                new Config("lossless k=4", SpeculationMode.LOSSLESS, 4, SpeculationPolicy.STATIC),
                // Load awareness: the adaptive policy should draft less as more streams share a batch.
                new Config("adaptive k<=8", SpeculationMode.LOSSLESS, 8, SpeculationPolicy.ADAPTIVE));
    }

    /**
     * Mixed presets on one engine: {@code concurrency} streams spread evenly over {@code presets} (of
     * {@link BenchPlan#MIXED_PRESETS}) on a fresh engine that serves all four, as the server does.
     * Run with the target preset alone for the target-only baseline of the same engine.
     */
    public Result runMixed(String name, List<String> presets, int concurrency, int tokens) throws InterruptedException {
        int context = concurrency * perSequence(8, tokens);
        try (LocalEngine engine = BenchPlan.mixed(target, draft, context, concurrency, threads, Math.max(16, concurrency),
                batchInvariant)) {
            List<Pipeline> pipelines = presets.stream().map(engine::pipeline).toList();
            List<int[]> prompts = SpeculationBench.STORY_PROMPTS.stream()
                    .map(p -> engine.engine().target().vocab().tokenize(p, true, false)).toList();
            for (Pipeline p : pipelines) streams(List.of(p), prompts, 1, 8); // warm-up
            long t0 = System.nanoTime();
            List<Recorder> streams = streams(pipelines, prompts, concurrency, tokens);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return summarize(new Config(name, SpeculationMode.LOSSLESS, 8, SpeculationPolicy.ADAPTIVE), concurrency,
                    tokens, streams, seconds);
        }
    }

    /** Cells per sequence: its prompt (at most a token per character), its tokens and the last round's draft. */
    private static int perSequence(int k, int tokens) {
        int longestPrompt = SpeculationBench.STORY_PROMPTS.stream().mapToInt(String::length).max().orElseThrow();
        return longestPrompt + tokens + k + 8;
    }

    /** Runs {@code config} with {@code concurrency} streams of {@code tokens} tokens each, on a fresh loop. */
    public Result run(Config config, int concurrency, int tokens) throws InterruptedException {
        try (LocalEngine engine = loop(config, concurrency, tokens)) {
            Pipeline loop = engine.pipeline();
            List<int[]> prompts = SpeculationBench.STORY_PROMPTS.stream()
                    .map(p -> loop.target().vocab().tokenize(p, true, false)).toList();
            streams(List.of(loop), prompts, 1, 8); // warm-up: first-call costs out of the measurement
            long t0 = System.nanoTime();
            List<Recorder> streams = streams(List.of(loop), prompts, concurrency, tokens);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return summarize(config, concurrency, tokens, streams, seconds);
        }
    }

    private LocalEngine loop(Config config, int concurrency, int tokens) {
        // All sequences share the one context.
        int context = concurrency * perSequence(config.k(), tokens);
        return plan(config).open(target, draft, context, concurrency, threads, Math.max(16, concurrency), batchInvariant,
                EnergyAccount.unmetered());
    }

    private static BenchPlan plan(Config config) {
        return new BenchPlan(config.name(), config.mode(), config.k(), CascadeSpec.DEFAULT,
                PolicySpec.DEFAULT.withPolicy(config.policy()), false);
    }

    /**
     * Submits {@code count} streams at once (prompts in turn, pipelines in turn, each with its own
     * speculation settings) and waits for all of them.
     */
    private static List<Recorder> streams(List<Pipeline> pipelines, List<int[]> prompts, int count, int tokens)
            throws InterruptedException {
        List<Recorder> out = new ArrayList<>(count);
        CountDownLatch ended = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Pipeline loop = pipelines.get(i % pipelines.size());
            GenerationRequest request = new GenerationRequest(prompts.get(i % prompts.size()), SamplingParams.greedy(),
                    tokens, List.of(), true, loop.plan().withOverride(null, false));
            Recorder r = new Recorder(System.nanoTime(), tokens);
            out.add(r);
            r.ended = ended;
            loop.submit(request, r);
        }
        if (!ended.await(1, TimeUnit.HOURS)) throw new IllegalStateException("streams did not end within an hour");
        for (Recorder r : out) {
            if (r.failure != null) throw new IllegalStateException("a stream failed: " + r.failure, r.failure);
            if (r.n != tokens) throw new IllegalStateException("a stream generated " + r.n + " of " + tokens + " tokens");
        }
        return out;
    }

    private static Result summarize(Config config, int concurrency, int tokens, List<Recorder> streams, double seconds) {
        double[] ttft = new double[streams.size()];
        double[] tpot = new double[streams.size()];
        double[] itl = new double[streams.size() * Math.max(0, tokens - 1)];
        int gaps = 0;
        long drafted = 0;
        long accepted = 0;
        long rounds = 0;
        for (int s = 0; s < streams.size(); s++) {
            Recorder r = streams.get(s);
            ttft[s] = (r.arrivals[0] - r.submitted) / 1e9;
            tpot[s] = tokens < 2 ? 0 : (r.arrivals[tokens - 1] - r.arrivals[0]) / 1e9 / (tokens - 1);
            for (int i = 1; i < tokens; i++) itl[gaps++] = (r.arrivals[i] - r.arrivals[i - 1]) / 1e9;
            if (r.summary != null) {
                drafted += r.summary.drafted();
                accepted += r.summary.accepted();
                rounds += r.summary.rounds();
            }
        }
        return new Result(config, concurrency, tokens, tokens * streams.size(), seconds,
                percentile(ttft, 50), percentile(ttft, 99), percentile(itl, 50), percentile(itl, 99),
                percentile(tpot, 50), percentile(tpot, 99), drafted == 0 ? Double.NaN : (double) accepted / drafted,
                rounds == 0 ? 0 : (double) drafted / rounds);
    }

    /** Nearest-rank percentile (a value that occurred; p99 of 16 samples is their maximum). */
    static double percentile(double[] values, double p) {
        if (values.length == 0) return Double.NaN;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
