package dev.specd.bench;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.RejectionSampler;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import dev.specd.sampling.Verification;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * The host's work in one speculative round, on real logits rows: a draft model proposes k tokens
 * (each sampled from its processed distribution q, with its confidence), the target scores them
 * in one decode, and rejection sampling keeps a prefix. The rows are captured once from the two
 * models; then only the Java side is timed, many times over, split into what the issue asks for:
 * <ul>
 *   <li>{@code logits copy}: the 2k + 1 rows copied out of native memory into reused arrays;</li>
 *   <li>{@code draft sampling}: q, the sampled token and the max-prob confidence, for k rows;</li>
 *   <li>{@code target truncation}: p for all k + 1 target rows;</li>
 *   <li>{@code rejection}: the acceptance tests and the residual or bonus draw, given p and q;</li>
 *   <li>{@code verify (lazy)}: what the runtime does instead of the last two, processing target
 *       rows only as far as the tests get.</li>
 * </ul>
 * Times are the thread's CPU time (a busy machine inflates them far less than wall time), per
 * round, as means and medians over the repetitions; a round's cost depends on how many drafts
 * the target accepts, so the mean is the cost a generation pays on average.
 */
final class RoundBench {

    static final List<String> PHASES = List.of("logits copy", "draft sampling", "target truncation", "rejection",
            "verify (lazy)");

    /** One captured round: the draft's k rows and tokens, the target's k + 1 rows. */
    record Round(float[][] draftRows, int[] drafts, float[][] targetRows) {
    }

    /**
     * CPU microseconds per round, mean and median for each of {@link #PHASES} and for the whole
     * round as the runtime runs it (copy + draft sampling + lazy verification), and the drafts
     * accepted per round (which decides how many target rows the lazy verification reads).
     */
    record Result(Map<String, Double> mean, Map<String, Double> median, double roundMean, double roundMedian,
                  double acceptedMean) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final SamplingParams params;
    private final int k;

    RoundBench(SamplingParams params, int k) {
        this.params = params;
        this.k = k;
    }

    /** Rounds from each prompt, one after another (each continues with what the last one emitted). */
    List<Round> capture(Path target, Path draft, List<String> prompts, int roundsPerPrompt, int threads) {
        List<Round> rounds = new ArrayList<>();
        try (ModelBackend t = LlamaBackend.load(target, LoadOptions.DEFAULT);
             ModelBackend d = LlamaBackend.load(draft, LoadOptions.DEFAULT);
             ModelContext tc = t.newContext(ContextOptions.of(1024, 1).withThreads(threads));
             ModelContext dc = d.newContext(ContextOptions.of(1024, 1).withThreads(threads))) {
            Sequence ts = tc.openSequence();
            Sequence ds = dc.openSequence();
            Sampler draftSampler = new Sampler(params);
            Sampler targetSampler = new Sampler(params);
            for (String prompt : prompts) {
                int[] context = t.vocab().tokenize(prompt, true, false);
                for (int r = 0; r < roundsPerPrompt; r++) {
                    ds.truncate(0);
                    ts.truncate(0);
                    float[] row = ds.decode(context, context.length - 1)[0];
                    float[][] draftRows = new float[k][];
                    int[] drafts = new int[k];
                    List<Distribution> qs = new ArrayList<>();
                    for (int i = 0; i < k; i++) {
                        draftRows[i] = row;
                        qs.add(draftSampler.distribution(row, null));
                        drafts[i] = draftSampler.sample(qs.getLast());
                        if (i < k - 1) row = ds.decode(new int[] {drafts[i]}, 0)[0];
                    }
                    if (context.length > 1) ts.decode(Arrays.copyOf(context, context.length - 1), context.length - 1);
                    int[] step = new int[k + 1];
                    step[0] = context[context.length - 1];
                    System.arraycopy(drafts, 0, step, 1, k);
                    float[][] targetRows = ts.decode(step, 0);
                    rounds.add(new Round(draftRows, drafts, targetRows));
                    Verification v = RejectionSampler.verifyRows(drafts, qs, targetRows, null, targetSampler);
                    int[] next = Arrays.copyOf(context, context.length + v.emittedCount());
                    System.arraycopy(v.emitted(), 0, next, context.length, v.emittedCount());
                    context = next;
                }
            }
        }
        return rounds;
    }

    /** CPU time per round over {@code repetitions} passes over the captured rounds. */
    Result measure(List<Round> rounds, int repetitions) {
        int vocab = rounds.getFirst().targetRows()[0].length;
        Map<String, double[]> samples = new LinkedHashMap<>();
        for (String p : PHASES) samples.put(p, new double[repetitions * rounds.size()]);
        double[] totals = new double[repetitions * rounds.size()];
        long accepted = 0;
        try (Arena arena = Arena.ofConfined()) {
            // Native copies of the rows, for the copy-out that decodeTransient does.
            MemorySegment natives = arena.allocate(JAVA_FLOAT, (long) vocab * (2L * k + 1));
            float[][] reused = new float[2 * k + 1][vocab];
            Sampler draftSampler = new Sampler(params);
            // As ModelDrafter sets it up: one scan per draft row serves q and the confidence.
            draftSampler.workspace().shareScansWithMaxProbability();
            Sampler targetSampler = new Sampler(params);
            int n = 0;
            for (int rep = 0; rep < repetitions; rep++) {
                for (Round round : rounds) {
                    for (int i = 0; i < k; i++) MemorySegment.copy(round.draftRows()[i], 0, natives, JAVA_FLOAT, offset(i, vocab), vocab);
                    for (int i = 0; i <= k; i++) {
                        MemorySegment.copy(round.targetRows()[i], 0, natives, JAVA_FLOAT, offset(k + i, vocab), vocab);
                    }
                    // As the runtime meets them: each draft row copied out right after its decode and
                    // processed at once, then the k + 1 target rows copied out together.
                    float[][] draftRows = Arrays.copyOf(reused, k);
                    float[][] targetRows = Arrays.copyOfRange(reused, k, 2 * k + 1);
                    List<Distribution> qs = new ArrayList<>(k);
                    double sink = 0;
                    long copy = 0;
                    long drafting = 0;
                    for (int i = 0; i < k; i++) {
                        long t0 = cpu();
                        MemorySegment.copy(natives, JAVA_FLOAT, offset(i, vocab), draftRows[i], 0, vocab);
                        long t1 = cpu();
                        qs.add(draftSampler.distribution(draftRows[i], null));
                        sink += draftSampler.sample(qs.getLast());
                        sink += Logprobs.maxProbability(draftRows[i], draftSampler.workspace());
                        drafting += cpu() - t1;
                        copy += t1 - t0;
                    }
                    long c1 = cpu();
                    for (int i = 0; i <= k; i++) {
                        MemorySegment.copy(natives, JAVA_FLOAT, offset(k + i, vocab), targetRows[i], 0, vocab);
                    }
                    long c2 = cpu();
                    // The runtime's way first, on rows as fresh from the copy as the runtime finds them.
                    Verification lazy = RejectionSampler.verifyRows(round.drafts(), qs, targetRows, null, targetSampler);
                    long c3 = cpu();
                    List<Distribution> ps = targetSampler.distributions(targetRows, round.drafts(), null);
                    long c4 = cpu();
                    Verification eager = RejectionSampler.verify(round.drafts(), qs, ps, targetSampler);
                    long c5 = cpu();
                    if (sink < 0 || eager.emittedCount() + lazy.emittedCount() < 2) throw new IllegalStateException();
                    double[] phases = {copy + c2 - c1, drafting, c4 - c3, c5 - c4, c3 - c2};
                    for (int p = 0; p < PHASES.size(); p++) samples.get(PHASES.get(p))[n] = phases[p] / 1e3;
                    totals[n] = (phases[0] + phases[1] + phases[4]) / 1e3;
                    accepted += lazy.accepted();
                    n++;
                }
            }
        }
        Map<String, Double> means = new LinkedHashMap<>();
        Map<String, Double> medians = new LinkedHashMap<>();
        samples.forEach((phase, values) -> {
            means.put(phase, Arrays.stream(values).average().orElseThrow());
            medians.put(phase, median(values));
        });
        return new Result(means, medians, Arrays.stream(totals).average().orElseThrow(), median(totals),
                (double) accepted / totals.length);
    }

    /** Byte offset of row {@code row} in the native block. */
    private static long offset(int row, int vocab) {
        return (long) row * vocab * Float.BYTES;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
