package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.SpeedupModel;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine for a target and one candidate drafter: its start-up calibration measures the cost
 * curve, a profile run at a static k counts acceptance by position, and {@link #compare} measures
 * a draft length against target-only on the same engine, prompt by prompt (request-level settings,
 * so both see the same models, caches and machine state).
 */
final class CandidateRun implements AutoCloseable {

    /** Draft positions profiled: the closed form predicts k = 0..PROFILE_K. */
    static final int PROFILE_K = 8;

    /** Timed requests of one setting: what they generated, how long it took, what it cost. */
    /**
     * @param decodeSeconds the time after each request's first event (the prefill, and for
     *                      speculation its first round)
     * @param decodeTokens  the tokens emitted in that time
     */
    record Timed(int tokens, double seconds, double decodeSeconds, int decodeTokens, double joules, List<int[]> prompts,
                 List<int[]> outputs) {
        Timed {
            prompts = List.copyOf(prompts);
            outputs = List.copyOf(outputs);
        }

        double tokensPerSecond() {
            return tokens / seconds;
        }

        double joulesPerToken() {
            return tokens == 0 ? Double.NaN : joules / tokens;
        }

        /** Time per token after each request's first event: one step of this setting. */
        double stepNanos() {
            return decodeTokens <= 0 ? 0 : decodeSeconds / decodeTokens * 1e9;
        }

        /** Mean time to a request's first event. */
        double firstSeconds() {
            return prompts.isEmpty() ? 0 : (seconds - decodeSeconds) / prompts.size();
        }
    }

    /** Speculation at k and target-only, interleaved per prompt. */
    record Comparison(int k, Timed speculative, Timed targetOnly) {
        double speedup() {
            return speculative.tokensPerSecond() / targetOnly.tokensPerSecond();
        }

        /** The speed-up after each request's first event: what the analytical model predicts. */
        double decodeSpeedup() {
            return targetOnly.stepNanos() / speculative.stepNanos();
        }

        /**
         * The end-to-end speed-up a decode speed-up {@code s} gives these requests: target-only's
         * own time to its first event and its decode time, the latter divided by {@code s}.
         */
        double endToEnd(double s) {
            double first = targetOnly.firstSeconds() * targetOnly.prompts().size();
            return (first + targetOnly.decodeSeconds()) / (first + targetOnly.decodeSeconds() / s);
        }
    }

    private final DraftCandidate candidate;
    private final PositionTally tally = new PositionTally(PROFILE_K);
    private final EnergyAccount energy;
    private final LocalEngine engine;

    /**
     * @param draftFile the draft model's file; ignored for prompt lookup
     * @param energy    the process's meter ({@link EnergyAccount#unmetered()} for none)
     */
    CandidateRun(Path target, DraftCandidate candidate, Path draftFile, int threads, EnergyAccount energy) {
        this.candidate = candidate;
        this.energy = energy;
        // An adaptive preset, so that the engine calibrates its costs at start as the server's does;
        // every request below carries its own static settings, so the policy itself never runs.
        BenchPlan plan = new BenchPlan("advise", SpeculationMode.LOSSLESS, PROFILE_K, CascadeSpec.DEFAULT,
                PolicySpec.DEFAULT, candidate.lookup());
        this.engine = plan.open(LlamaBackend.load(target, LoadOptions.DEFAULT), draftFile, 2048, 1, threads, 16, false,
                energy, tally);
    }

    Pipeline pipeline() {
        return engine.pipeline();
    }

    /**
     * Runs the workload's first {@code prompts} prompts target-only and then at static k =
     * {@link #PROFILE_K}, after one unmeasured request that also waits out the start-up
     * calibration, and predicts from what they measured ({@link MeasuredModel}): acceptance by
     * position and the draft and verify times of every round, target-only's time per token.
     */
    Prediction profile(Workload w, int prompts, int tokens) {
        SpeculationSpec k8 = SpeculationSpec.fixed(SpeculationMode.LOSSLESS, PROFILE_K, CascadeSpec.DEFAULT);
        w.run(pipeline(), 0, 0, 16, k8);
        PipelineProfile profile = pipeline().profile();
        if (!profile.calibrated()) throw new IllegalStateException("the engine was never calibrated: no costs to predict from");
        Timed off = timed(w, prompts, tokens, SpeculationSpec.OFF);
        tally.reset();
        Timed run = timed(w, prompts, tokens, k8);
        SpeedupModel model = MeasuredModel.of(tally, profile.costs(), PROFILE_K, off.stepNanos());
        if (model == null) throw new IllegalStateException("the profile run verified no draft: nothing to predict from");
        double watts = energy.metered() && run.joules() > 0 ? run.joules() / run.seconds() : Double.NaN;
        return new Prediction(candidate, model, tally.rounds(), tally.reached(), tally.accepted(), watts, energy.source());
    }

    /** One unmeasured request, which also waits out the start-up calibration (before {@link #compare} alone). */
    void warmUp(Workload w) {
        w.run(pipeline(), 0, 0, 16, SpeculationSpec.OFF);
    }

    /** Static k against target-only, prompt by prompt, alternating which goes first. */
    Comparison compare(Workload w, int prompts, int tokens, int k) {
        SpeculationSpec spec = SpeculationSpec.fixed(SpeculationMode.LOSSLESS, k, CascadeSpec.DEFAULT);
        Acc s = new Acc(), off = new Acc();
        for (int i = 0; i < prompts; i++) {
            if (i % 2 == 0) {
                off.add(generate(w, i, tokens, SpeculationSpec.OFF));
                s.add(generate(w, i, tokens, spec));
            } else {
                s.add(generate(w, i, tokens, spec));
                off.add(generate(w, i, tokens, SpeculationSpec.OFF));
            }
        }
        return new Comparison(k, s.timed(), off.timed());
    }

    private Timed timed(Workload w, int prompts, int tokens, SpeculationSpec settings) {
        Acc a = new Acc();
        for (int i = 0; i < prompts; i++) a.add(generate(w, i, tokens, settings));
        return a.timed();
    }

    private Generated generate(Workload w, int i, int tokens, SpeculationSpec settings) {
        int[] prompt = pipeline().target().vocab().tokenize(w.prompts().get(i), true, false);
        long t0 = System.nanoTime();
        Collector.Completed c = Collector.run(pipeline(), new GenerationRequest(prompt, w.sampling(i), tokens, List.of(),
                true, settings));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double first = c.firstTokenNanos() < 0 ? seconds : (c.firstTokenNanos() - t0) / 1e9;
        int firstTokens = c.texts().stream().mapToInt(t -> t.tokens().length).filter(n -> n > 0).findFirst().orElse(0);
        SpeculationSummary s = c.done().speculation();
        double joules = s == null || s.energy() == null ? 0 : s.energy().joules();
        return new Generated(prompt, c.tokens(), seconds, seconds - first, c.tokens().length - firstTokens, joules);
    }

    private record Generated(int[] prompt, int[] output, double seconds, double decodeSeconds, int decodeTokens,
                             double joules) {
        Generated {
            prompt = prompt.clone();
            output = output.clone();
        }
    }

    /** Sums the requests of one setting. */
    private static final class Acc {
        private final List<int[]> prompts = new ArrayList<>();
        private final List<int[]> outputs = new ArrayList<>();
        private int tokens;
        private double seconds;
        private double decodeSeconds;
        private int decodeTokens;
        private double joules;

        void add(Generated g) {
            prompts.add(g.prompt());
            outputs.add(g.output());
            tokens += g.output().length;
            seconds += g.seconds();
            decodeSeconds += g.decodeSeconds();
            decodeTokens += g.decodeTokens();
            joules += g.joules();
        }

        Timed timed() {
            return new Timed(tokens, seconds, decodeSeconds, decodeTokens, joules, prompts, outputs);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
