package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.CostData;
import dev.specd.runtime.adaptive.CostModel;
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
    record Timed(int tokens, double seconds, double joules, List<int[]> prompts, List<int[]> outputs) {
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
    }

    /** Speculation at k and target-only, interleaved per prompt. */
    record Comparison(int k, Timed speculative, Timed targetOnly) {
        double speedup() {
            return speculative.tokensPerSecond() / targetOnly.tokensPerSecond();
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
     * Runs the workload's first {@code prompts} prompts at static k = {@link #PROFILE_K}, after one
     * unmeasured request that also waits out the start-up calibration, and predicts from the counts
     * and the engine's costs (calibrated, then refined by the run).
     * <p>
     * A round's host work (sampling, verification, emission) grows with its draft: the draft
     * model's host side samples each step. The cost model keeps one turn overhead, so it is read
     * twice: after a target-only request (k = 0) and after the profile (k = 8); the difference per
     * drafted token joins the draft step's cost, and the k = 0 figure is the fixed overhead.
     */
    Prediction profile(Workload w, int prompts, int tokens) {
        SpeculationSpec k8 = SpeculationSpec.fixed(SpeculationMode.LOSSLESS, PROFILE_K, CascadeSpec.DEFAULT);
        w.run(pipeline(), 0, 0, 16, k8);
        CostModel costs = pipeline().profile().costs();
        forgetTurnOverhead();
        w.run(pipeline(), 0, 0, tokens, SpeculationSpec.OFF);
        double overhead0 = costs.turnOverheadNanos();
        forgetTurnOverhead();
        tally.reset();
        Timed run = timed(w, prompts, tokens, k8);
        double overheadK = costs.turnOverheadNanos();
        PipelineProfile profile = pipeline().profile();
        if (!profile.calibrated()) throw new IllegalStateException("the engine was never calibrated: no costs to predict from");
        double[] verify = new double[PROFILE_K + 2];
        for (int t = 1; t <= PROFILE_K + 1; t++) verify[t] = costs.verifyNanos(t);
        double hostPerStep = tally.meanDrafted() > 0 ? Math.max(0, (overheadK - overhead0) / tally.meanDrafted()) : 0;
        double watts = energy.metered() && run.joules() > 0 ? run.joules() / run.seconds() : Double.NaN;
        return Prediction.of(candidate, verify, profile.draftMillisPerToken() * 1e6 + hostPerStep, overhead0, tally,
                watts, energy.source());
    }

    /** One unmeasured request, which also waits out the start-up calibration (before {@link #compare} alone). */
    void warmUp(Workload w) {
        w.run(pipeline(), 0, 0, 16, SpeculationSpec.OFF);
    }

    /**
     * Drops the turn overhead learnt so far: the engine's first turns pay for class loading and JIT
     * compilation (tens of ms on a small model), and the cost model's moving average, which moves
     * at most a few per cent a turn, would carry that into a short profile. The next turn measures
     * it afresh; the calibrated decode costs stay.
     */
    private void forgetTurnOverhead() {
        CostModel costs = pipeline().profile().costs();
        CostData d = costs.snapshot(pipeline().engine().id(), "advise");
        costs.restore(new CostData(d.version(), d.engine(), d.key(), d.observations(), d.verifyNanos(),
                d.calibratedVerifyNanos(), d.draftNanos(), 0));
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
        SpeculationSummary s = c.done().speculation();
        double joules = s == null || s.energy() == null ? 0 : s.energy().joules();
        return new Generated(prompt, c.tokens(), seconds, joules);
    }

    private record Generated(int[] prompt, int[] output, double seconds, double joules) {
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
        private double joules;

        void add(Generated g) {
            prompts.add(g.prompt());
            outputs.add(g.output());
            tokens += g.output().length;
            seconds += g.seconds();
            joules += g.joules();
        }

        Timed timed() {
            return new Timed(tokens, seconds, joules, prompts, outputs);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
