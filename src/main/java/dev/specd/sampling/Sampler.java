package dev.specd.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Draws tokens for one request from a seeded random stream.
 *
 * <p>Same {@link SamplingParams#seed() seed}, same logits, same history &rArr; same tokens: the
 * generator is L64X128MixRandom, whose output for a given seed is fixed by its specification
 * rather than by the JDK build. Without a seed one is drawn at construction; {@link #seed()}
 * reports it so a response can be replayed.
 *
 * <p>Randomness is consumed in a documented way because speculative sampling shares the stream:
 * {@link #sample(Distribution)} takes exactly one {@link #uniform()} unless the distribution is a
 * point mass (greedy decoding, or filters leaving one token), which takes none; the rejection
 * test of each drafted token takes its uniform through {@link #uniform()} directly.
 *
 * <p>Not thread-safe: one instance per request.
 */
public final class Sampler {

    private static final RandomGeneratorFactory<RandomGenerator> GENERATORS =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final SamplingParams params;
    private final long seed;
    private final RandomGenerator random;
    /** Scratch buffers reused from token to token; this sampler's request owns them. */
    private final SamplingWorkspace workspace = new SamplingWorkspace();

    public Sampler(SamplingParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.seed = params.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        this.random = GENERATORS.create(seed);
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed in use: the request's, or the one drawn for it. */
    public long seed() {
        return seed;
    }

    /**
     * The processed distribution under this sampler's params; pure, draws no randomness. Reuses
     * this sampler's scratch buffers, so a generation allocates nothing vocabulary-sized per token.
     */
    public Distribution distribution(float[] logits, TokenCounts history) {
        return LogitsProcessor.process(logits, params, history, workspace);
    }

    /** This sampler's scratch buffers, for other per-row work on the same thread (a draft's confidence). */
    public SamplingWorkspace workspace() {
        return workspace;
    }

    /**
     * The processed distributions p_1..p_{k+1} of a round's k + 1 target rows, each over
     * {@code history} extended by the drafts before it, computed as they are asked for (in
     * increasing order, each once): what {@link RejectionSampler#verifyRows} reads.
     */
    IntFunction<Distribution> targetDistributions(float[][] rows, int[] drafts, TokenCounts history) {
        // Penalties read the history; without them no copy is needed.
        TokenCounts h = params.hasPenalties() && drafts.length > 0 && history != null ? history.copy() : history;
        int[] added = {0};
        return i -> {
            if (h != history) {
                while (added[0] < i) h.add(drafts[added[0]++]);
            }
            return distribution(rows[i], h);
        };
    }

    /** All of {@link #targetDistributions}, processed at once (for checks that need every row). */
    public List<Distribution> distributions(float[][] rows, int[] drafts, TokenCounts history) {
        IntFunction<Distribution> p = targetDistributions(rows, drafts, history);
        List<Distribution> out = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) out.add(p.apply(i));
        return out;
    }

    /**
     * Processes {@code logits} and draws the next token. Greedy params take the argmax and no
     * randomness. The history is read, not updated: the caller appends the token it keeps.
     */
    public int sample(float[] logits, TokenCounts history) {
        if (params.isGreedy()) {
            return LogitsProcessor.greedyToken(logits, params, history, workspace);
        }
        return sample(distribution(logits, history));
    }

    /** Inverse-CDF sampling with one uniform; a point mass returns its token without one. */
    public int sample(Distribution distribution) {
        if (distribution.isPointMass()) {
            return distribution.argmax();
        }
        return distribution.quantile(uniform());
    }

    /** The next uniform in [0, 1) from this request's stream. */
    public double uniform() {
        return random.nextDouble();
    }
}
