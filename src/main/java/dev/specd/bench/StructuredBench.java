package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.constrain.TokenSpace;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Structured output against free text on one target/draft pair: target-only and lossless k = 4,
 * each unconstrained and under {@link ConstraintBench#SCHEMA}, greedy, one request at a time.
 * Both loops stay open and the four configurations are interleaved run after run, so a shared
 * machine's noise falls on all of them alike; the report is the median tokens/s of each.
 * Goals (issue 11): constrained ÷ free tokens/s ≥ 0.8; lossless speed-up with the schema ≥ 0.9 ×
 * the free speed-up.
 */
public final class StructuredBench {

    /** Median tokens per second of each configuration. */
    public record Result(double freeOff, double schemaOff, double freeLossless, double schemaLossless) {
        public double constrainedRatio() {
            return schemaOff / freeOff;
        }

        public double speedupRatio() {
            return (schemaLossless / schemaOff) / (freeLossless / freeOff);
        }
    }

    private final Path target;
    private final Path draft;
    private final int threads;
    private final int tokens;

    public StructuredBench(Path target, Path draft, int threads, int tokens) {
        this.target = target;
        this.draft = draft;
        this.threads = threads;
        this.tokens = tokens;
    }

    public Result run(int runs) throws Exception {
        BenchPlan off = new BenchPlan("target-only", SpeculationMode.OFF, 0, CascadeSpec.DEFAULT, PolicySpec.STATIC, false);
        BenchPlan lossless = new BenchPlan("lossless k=4", SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT,
                PolicySpec.STATIC, false);
        try (LocalEngine ea = off.open(target, draft, 2048, 1, threads, 16, EnergyAccount.unmetered());
             LocalEngine eb = lossless.open(target, draft, 2048, 1, threads, 16, EnergyAccount.unmetered())) {
            Pipeline a = ea.pipeline();
            Pipeline b = eb.pipeline();
            TokenConstraint schema = new Constraints(TokenSpace.of(a.target().vocab()))
                    .jsonSchema(new ObjectMapper().readTree(ConstraintBench.SCHEMA), "bench");
            int[] prompt = a.target().vocab().tokenize("Lily wrote down what she knew about her friend:", true, false);
            double[][] tps = new double[4][runs];
            rate(a, prompt, off.settings(), null); // warm-up of both loops, constraint masks included
            rate(a, prompt, off.settings(), schema);
            rate(b, prompt, lossless.settings(), null);
            rate(b, prompt, lossless.settings(), schema);
            for (int r = 0; r < runs; r++) {
                tps[0][r] = rate(a, prompt, off.settings(), null);
                tps[1][r] = rate(a, prompt, off.settings(), schema);
                tps[2][r] = rate(b, prompt, lossless.settings(), null);
                tps[3][r] = rate(b, prompt, lossless.settings(), schema);
                System.err.printf("run %d: free %.2f, schema %.2f, lossless free %.2f, lossless schema %.2f tok/s%n",
                        r, tps[0][r], tps[1][r], tps[2][r], tps[3][r]);
            }
            return new Result(median(tps[0]), median(tps[1]), median(tps[2]), median(tps[3]));
        }
    }

    /** Generated tokens per second of one greedy request (free text runs to the token limit; JSON to its end). */
    private double rate(Pipeline loop, int[] prompt, SpeculationSpec s, TokenConstraint c) {
        GenerationRequest r = new GenerationRequest(prompt, SamplingParams.greedy(), tokens, List.of(), c == null, s)
                .withConstraint(c);
        long t0 = System.nanoTime();
        int n = Collector.run(loop, r).tokens().length;
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
