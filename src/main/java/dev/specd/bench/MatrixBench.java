package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.energy.CpuModelMeter;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.RequestDefaults;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.adaptive.SpeedupModel;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
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
 * One workload through every configuration of the matrix. specd's configurations are presets over
 * one engine and run interleaved — every prompt through every configuration in turn, the whole set
 * {@code repeat} times — with the draft model alone on an engine of its own beside it; llama.cpp runs
 * in child processes afterwards (a JVM of its own each: its JNI model frees nothing). Then every
 * output is scored by a separate decode with the target ({@link TargetScore}). The analytical
 * optimum is built from the longest static preset's acceptance by position, counted round by round,
 * and the engine's calibrated cost curve.
 */
final class MatrixBench {

    /**
     * One request of one configuration.
     *
     * @param output  the generated tokens (llama.cpp's: its text re-tokenised with the target's vocabulary)
     * @param text    llama.cpp's generated text (null for specd's, which has tokens)
     * @param summary null for configurations that do not speculate through specd
     * @param firstSeconds time to the first event with tokens (the prefill, and for speculation the
     *                     first round): the rest is decoding
     * @param firstTokens  the tokens that first event carried
     * @param joules  NaN when nothing was metered
     */
    record Run(MatrixConfig config, int prompt, int tokens, double seconds, double firstSeconds, int firstTokens, int[] output,
               String text,
               SpeculationSummary summary, double joules, TargetScore score) {
        Run {
            output = output.clone();
        }

        @Override
        public int[] output() {
            return output.clone();
        }

        Run with(int[] tokens, TargetScore s) {
            return new Run(config, prompt, this.tokens, seconds, firstSeconds, firstTokens, tokens, text, summary, joules, s);
        }
    }

    /** A workload's runs, the prompts as tokens, and the optimum's model (null when nothing was calibrated). */
    record Result(Workload workload, Path target, List<Run> runs, List<int[]> prompts, SpeedupModel optimum) {
        Result {
            runs = List.copyOf(runs);
            prompts = List.copyOf(prompts);
        }
    }

    private final Path draft;
    private final int threads;
    private final int fallbackTokens;
    private final int repeat;
    private final EnergyAccount energy;
    private final EnergyModel peerEnergy;

    /** The CPU energy model applied to llama.cpp's child processes (their CPU time is not this process's). */
    record EnergyModel(double wattsPerCore, double idleWatts, double idleShare) {
        double joules(long cpuNanos, double wallSeconds) {
            return CpuModelMeter.estimate(wattsPerCore, idleWatts, idleShare, cpuNanos / 1e9, wallSeconds);
        }
    }

    MatrixBench(Path draft, int threads, int fallbackTokens, int repeat, EnergyAccount energy, EnergyModel peerEnergy) {
        this.draft = draft;
        this.threads = threads;
        this.fallbackTokens = fallbackTokens;
        this.repeat = repeat;
        this.energy = energy;
        this.peerEnergy = peerEnergy;
    }

    Result run(Workload w, Path target, List<MatrixConfig> configs, int prompts) throws IOException, InterruptedException {
        List<String> texts = w.prompts().subList(0, prompts > 0 ? Math.min(prompts, w.prompts().size()) : w.prompts().size());
        int tokens = w.tokens(fallbackTokens);
        List<int[]> encoded = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        Rounds rounds = new Rounds();
        SpeedupModel optimum = null;
        int context = 4096;
        ModelRef.File draftRef = BenchPlan.file(draft);
        TargetSpec spec = new TargetSpec(BenchPlan.file(target), context, 1, threads, 0);
        LocalEngine.Builder b = LocalEngine.builder(LlamaBackend.load(target, LoadOptions.DEFAULT), spec)
                .draft(draftRef.key(), LlamaBackend.load(draft, LoadOptions.DEFAULT)).ownModels()
                .limits(new SchedulerLimits(4, Duration.ofHours(1))).telemetry(rounds).energy(energy);
        List<MatrixConfig.Specd> presets = configs.stream().filter(c -> c instanceof MatrixConfig.Specd)
                .map(c -> (MatrixConfig.Specd) c).toList();
        for (MatrixConfig.Specd c : presets) {
            List<DraftPlan> drafters = !c.settings().speculates() ? List.of()
                    : List.of(c.lookup() ? new DraftPlan.Lookup(1, 4) : new DraftPlan.Model(draftRef, context));
            b.pipeline(new ExecutionPlan(c.id(), c.name(), spec, RequestDefaults.OPENAI, "bench", drafters, c.settings(),
                    List.of()));
        }
        boolean draftOnly = configs.stream().anyMatch(c -> c instanceof MatrixConfig.DraftOnly);
        TargetSpec draftSpec = new TargetSpec(draftRef, context, 1, threads, 0);
        try (LocalEngine engine = b.start();
             LocalEngine slm = draftOnly ? LocalEngine.builder(LlamaBackend.load(draft, LoadOptions.DEFAULT), draftSpec)
                     .ownModels().energy(energy).pipeline(new ExecutionPlan("draft-only", "draft-only", draftSpec,
                             RequestDefaults.OPENAI, "bench", List.of(), SpeculationSpec.OFF, List.of()))
                     .start() : null) {
            for (String p : texts) encoded.add(engine.pipeline().target().vocab().tokenize(p, true, false));
            // Warm-up (and the start-up calibration) on a short prompt: a long one's prefill would only add time.
            int[] warm = engine.pipeline().target().vocab().tokenize("Once upon a time", true, false);
            for (MatrixConfig c : configs) generate(engine, slm, c, w, warm, 0, 8);
            rounds.clear(); // acceptance counts of the measured requests only
            for (int r = 0; r < repeat; r++) {
                for (int i = 0; i < encoded.size(); i++) {
                    for (MatrixConfig c : configs) {
                        if (c instanceof MatrixConfig.LlamaCpp) continue;
                        long t0 = System.nanoTime();
                        Collector.Completed done = generate(engine, slm, c, w, encoded.get(i), i, tokens);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        SpeculationSummary s = done.done().speculation();
                        double joules = s == null || s.energy() == null ? Double.NaN : s.energy().joules();
                        double first = done.firstTokenNanos() < 0 ? seconds : (done.firstTokenNanos() - t0) / 1e9;
                        int firstTokens = done.texts().stream().mapToInt(t -> t.tokens().length).filter(n -> n > 0)
                                .findFirst().orElse(0);
                        runs.add(new Run(c, i, done.tokens().length, seconds, first, firstTokens, done.tokens(), null, s,
                                joules, null));
                    }
                }
            }
            // The longest static draft measured gives acceptance at every position the optimum considers.
            MatrixConfig.Specd longest = presets.stream().filter(c -> c.family().equals("lossless"))
                    .max(java.util.Comparator.comparingInt(c -> c.settings().k())).orElse(null);
            double targetStep = targetStepNanos(runs);
            if (longest != null && targetStep > 0) {
                List<PositionTally> statics = presets.stream().filter(c -> c.family().equals("lossless"))
                        .map(c -> rounds.tally(c.id())).toList();
                optimum = MeasuredModel.of(statics, rounds.tally(longest.id()),
                        engine.pipeline(longest.id()).profile().costs(), longest.settings().k(), targetStep);
            }
        }
        for (int r = 0; r < repeat; r++) {
            for (MatrixConfig c : configs) {
                if (c instanceof MatrixConfig.LlamaCpp l) runs.addAll(peer(l, w, target, texts, tokens, context));
            }
        }
        return new Result(w, target, score(target, texts, encoded, runs), encoded, optimum);
    }

    private Collector.Completed generate(LocalEngine engine, LocalEngine slm, MatrixConfig c, Workload w, int[] prompt,
                                         int i, int n) {
        return switch (c) {
            case MatrixConfig.Specd s -> Collector.run(engine.pipeline(s.id()), request(w, prompt, i, n, s.settings()));
            case MatrixConfig.DraftOnly d -> Collector.run(slm.pipeline(), request(w, prompt, i, n,
                    SpeculationSpec.OFF));
            case MatrixConfig.LlamaCpp l -> null;
        };
    }

    private static GenerationRequest request(Workload w, int[] prompt, int i, int n,
                                                               SpeculationSpec s) {
        return new GenerationRequest(prompt, w.sampling(i), n, List.of(), true, s);
    }

    /** Target-only's time per token after the first (what one plain step costs in this workload). */
    private static double targetStepNanos(List<Run> runs) {
        double seconds = 0;
        int tokens = 0;
        for (Run r : runs) {
            if (!r.config().family().equals("target-only")) continue;
            seconds += r.seconds() - r.firstSeconds();
            tokens += Math.max(0, r.tokens() - r.firstTokens());
        }
        return tokens == 0 ? 0 : seconds / tokens * 1e9;
    }

    private List<Run> peer(MatrixConfig.LlamaCpp l, Workload w, Path target, List<String> prompts, int tokens, int context)
            throws IOException, InterruptedException {
        var job = new LlamaCppSpecPeer.Job(target.toString(), l.draftMax() == 0 ? null : draft.toString(), threads, context,
                l.draftMax(), l.draftMin(), l.pMin(), w.temperature(), w.topP(), tokens, prompts);
        ObjectMapper json = new ObjectMapper();
        Path file = Files.createTempFile("specd-peer", ".json");
        try {
            json.writeValue(file.toFile(), job);
            var result = json.readValue(PeerProcess.run(LlamaCppSpecPeer.class, List.of(file.toString())),
                    LlamaCppSpecPeer.Result.class);
            double wall = result.outputs().stream().mapToLong(LlamaCppSpecPeer.Output::nanos).sum() / 1e9;
            double joules = peerEnergy == null ? Double.NaN : peerEnergy.joules(result.cpuNanos(), wall);
            List<Run> out = new ArrayList<>();
            for (int i = 0; i < result.outputs().size(); i++) {
                var o = result.outputs().get(i);
                double seconds = o.nanos() / 1e9;
                // The child's energy, split by time over its requests.
                out.add(new Run(l, i, o.tokens(), seconds, o.firstNanos() / 1e9, 1, new int[0], o.text(), null,
                        joules * seconds / wall, null));
            }
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Scores every run with the target, in a context of its own, after the timed work; each prompt is decoded once. */
    private List<Run> score(Path target, List<String> texts, List<int[]> prompts, List<Run> runs) {
        Run[] out = new Run[runs.size()];
        try (ModelBackend scorer = LlamaBackend.load(target, LoadOptions.DEFAULT)) {
            for (int p = 0; p < prompts.size(); p++) {
                List<int[]> outputs = new ArrayList<>();
                for (Run r : runs) {
                    outputs.add(r.prompt() != p ? null : r.text() == null ? r.output()
                            : continuation(scorer, texts.get(p), prompts.get(p), r.text()));
                }
                int longest = outputs.stream().filter(java.util.Objects::nonNull).mapToInt(o -> o.length).max().orElse(0);
                try (TargetScore.PromptScorer s = new TargetScore.PromptScorer(scorer, prompts.get(p), longest, threads)) {
                    for (int i = 0; i < runs.size(); i++) {
                        if (outputs.get(i) != null) out[i] = runs.get(i).with(outputs.get(i), s.score(outputs.get(i)));
                    }
                }
            }
        }
        return List.of(out);
    }

    /**
     * llama.cpp's output text as target tokens: the prompt and the text tokenised together, less
     * the prompt's tokens (alone, a continuation would be tokenised as a text of its own, with the
     * space prefix a SentencePiece vocabulary puts at a text's start).
     */
    static int[] continuation(ModelBackend model, String prompt, int[] promptTokens, String text) {
        int[] all = model.vocab().tokenize(prompt + text, true, false);
        int same = 0;
        while (same < promptTokens.length && same < all.length && all[same] == promptTokens[same]) same++;
        return java.util.Arrays.copyOfRange(all, same, all.length);
    }

    /** A tally of every verified round per preset (acceptance by position, draft and verify times). */
    private static final class Rounds implements Telemetry {
        private final Map<String, PositionTally> tallies = new ConcurrentHashMap<>();

        @Override
        public void round(String pipeline, SpeculationMode mode, RoundRecord round) {
            tally(pipeline).round(pipeline, mode, round);
        }

        PositionTally tally(String pipeline) {
            return tallies.computeIfAbsent(pipeline, p -> new PositionTally(32));
        }

        void clear() {
            tallies.clear();
        }
    }
}
