package dev.specd.draft;

import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import dev.specd.sampling.TokenCounts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small draft model (SLM) proposing tokens autoregressively, each sampled from q — the draft's
 * distribution after the request's own processing (temperature, filters, penalties), so that the
 * rejection sampler compares like with like. Its KV cache follows the sequence lazily: each call
 * rolls back to the longest prefix it shares with the context and decodes the rest in one batch.
 */
public final class ModelDrafter implements Drafter {

    private final ModelContext context;
    private final SamplingParams params;
    private final Sampler sampler;
    private final Confidence confidence;
    /** Top alternatives to report with each drafted token's own log-probability, or -1 for none. */
    private final int logprobs;
    private Sequence sequence;
    /** Mirror of the tokens in the draft model's KV cache. */
    private int[] cached = new int[0];

    /**
     * @param context    the draft model's shared context; one sequence slot is taken lazily
     * @param sampler    draws the draft tokens (its own seeded stream, apart from the target's)
     * @param confidence how {@link StopRule}s see each token
     */
    public ModelDrafter(ModelContext context, SamplingParams params, Sampler sampler, Confidence confidence) {
        this(context, params, sampler, confidence, -1);
    }

    /**
     * @param logprobs -1, or n &ge; 0 to attach each drafted token's log-probability under the draft model and
     *                 its n most likely tokens (a softmax over the vocabulary per token, so only when a cascade may
     *                 emit the tokens unverified and the request asked for them)
     */
    public ModelDrafter(ModelContext context, SamplingParams params, Sampler sampler, Confidence confidence,
                        int logprobs) {
        this.context = context;
        this.params = params;
        this.sampler = sampler;
        // Each row is asked for q and, with the default confidence, the max probability: one scan serves both.
        sampler.workspace().shareScansWithMaxProbability();
        this.confidence = confidence;
        this.logprobs = logprobs;
    }

    @Override
    public Draft propose(int[] tokens, int promptLength, int max, StopRule stop) {
        long t0 = System.nanoTime();
        if (sequence == null) sequence = context.openSequence();
        float[] logits = catchUp(tokens);
        TokenCounts history = TokenCounts.of(Arrays.copyOfRange(tokens, promptLength, tokens.length));
        int[] drafted = new int[max];
        double[] conf = new double[max];
        List<Distribution> qs = new ArrayList<>(max);
        List<Logprobs.Position> positions = new ArrayList<>(logprobs >= 0 ? max : 0);
        int n = 0;
        while (true) {
            Distribution q = sampler.distribution(logits, history);
            int x = sampler.sample(q);
            drafted[n] = x;
            conf[n] = confidence.of(logits, sampler.workspace());
            qs.add(q);
            if (logprobs >= 0) positions.add(Logprobs.at(logits, x, logprobs));
            n++;
            if (n == max || stop.stopAfter(conf[n - 1])) break;
            logits = sequence.decodeTransient(new int[] {x}, 0)[0]; // read before the next decode
            cached = append(cached, x);
            history.add(x);
        }
        return new Draft(Arrays.copyOf(drafted, n), qs, Arrays.copyOf(conf, n), System.nanoTime() - t0, positions);
    }

    /**
     * Brings the draft cache to {@code tokens} and returns the next-token logits. At least the last
     * token is always decoded, because logits are only available right after a decode.
     */
    private float[] catchUp(int[] tokens) {
        int common = 0;
        int limit = Math.min(cached.length, tokens.length - 1);
        while (common < limit && cached[common] == tokens[common]) common++;
        sequence.truncate(common);
        int[] rest = Arrays.copyOfRange(tokens, common, tokens.length);
        float[][] rows = sequence.decodeTransient(rest, rest.length - 1);
        cached = tokens.clone();
        return rows[0];
    }

    private static int[] append(int[] a, int x) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }

    @Override
    public void close() {
        if (sequence != null) sequence.close();
        sequence = null;
    }
}
