package dev.specd.sampling;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;

/**
 * The verify step of lossless speculative sampling (Leviathan et al. 2023; Chen et al. 2023,
 * arXiv 2302.01318): decides which drafted tokens the target keeps and which token it adds.
 *
 * <p>Given drafts x_1..x_k, the draft's processed distributions q_1..q_k and the target's processed
 * distributions p_1..p_{k+1} from one target decode, for i = 1..k the draft x_i is accepted with
 * probability min(1, p_i(x_i) / q_i(x_i)); at the first rejection the replacement is sampled from
 * the residual norm(max(0, p_i − q_i)) and the round ends; if all k are accepted a bonus token is
 * sampled from p_{k+1}. Every emitted token is then distributed exactly as if the target had
 * sampled it alone, whatever q is; q only decides how many tokens one target decode yields.
 *
 * <h2>Drafters without probabilities</h2>
 * A {@code null} q_i (prompt lookup, n-gram, input copying) means x_i was chosen deterministically,
 * i.e. q_i is one-hot at x_i: accept with probability p_i(x_i), residual = p_i with x_i removed.
 * A q_i with q_i(x_i) = 0 cannot have produced x_i by sampling, so q_i says nothing about how x_i
 * was chosen; rather than divide by zero it is verified the same way, as a deterministic proposal.
 * That keeps the output exactly p-distributed whenever x_i was chosen without looking at the
 * target's randomness, which is the best any rule can promise for such a draft.
 *
 * <h2>Greedy targets</h2>
 * When p_i is a point mass (temperature 0, or filters leaving one token) the ratio is 0 or ≥ 1,
 * so the rule reduces to "accept while x_i == argmax p_i, emit argmax p_i at the first mismatch"
 * and draws no randomness: greedy speculation emits exactly the target's greedy tokens.
 *
 * <h2>Randomness</h2>
 * Uniforms come from the request's {@link Sampler#uniform()} stream so that a seed reproduces a
 * run, consumed in a fixed order: one per draft whose acceptance probability lies strictly between
 * 0 and 1 (a certain outcome needs none), then one for the closing token (residual sample or
 * bonus) unless its distribution is a point mass, exactly as {@link Sampler#sample(Distribution)}.
 *
 * <h2>SLM-first cascade</h2>
 * The {@code verifyTolerant} forms add BiLD's rollback policy (arXiv 2302.07863): a draft rejected
 * by the lossless test is kept anyway, and counted as {@link Verification#tolerated() tolerated},
 * when −ln p_i(x_i) ≤ τ_rb. With τ_rb = 0 the result and the randomness consumed are identical to
 * lossless verification (a rejection implies p_i(x_i) &lt; q_i(x_i) ≤ 1, so −ln p_i(x_i) &gt; 0,
 * and τ_rb = 0 is moreover short-circuited).
 *
 * <p>Cost: O(k log s) for the tests plus O(|supp p_i| + |supp q_i|) for the one residual, with no
 * dense vocabulary-sized arrays. {@link #verifyRows} goes further and processes a target row only
 * when the test reaches it, so a draft rejected at position i leaves rows i+1..k untouched.
 * Stateless and thread-safe; the uniform source is not.
 */
public final class RejectionSampler {

    /**
     * Residual mass at or below which p_i and q_i are taken to agree up to rounding, and the
     * replacement is sampled from p_i instead. The residual's mass is the total variation
     * distance between p_i and q_i, which is also the probability of reaching it, so whatever is
     * sampled there moves the output distribution by at most this much; sampling noise left over
     * from float rounding would be no better than p_i itself.
     */
    static final double MIN_RESIDUAL_MASS = 1e-12;

    private RejectionSampler() {
    }

    /** Lossless verification with uniforms from the request's sampler. */
    public static Verification verify(int[] drafts, List<Distribution> draftDists, List<Distribution> targetDists,
                                      Sampler sampler) {
        Objects.requireNonNull(sampler, "sampler");
        return verify(drafts, draftDists, targetDists, sampler::uniform);
    }

    /**
     * Lossless verification of one round.
     *
     * @param drafts      x_1..x_k, the drafted tokens (k may be 0: then only the bonus is sampled)
     * @param draftDists  q_1..q_k; {@code null} entries, or a {@code null} list, for drafts chosen
     *                    deterministically (one-hot q)
     * @param targetDists p_1..p_{k+1} from the target decode over [last, x_1..x_k]; p_{k+1} is for
     *                    the bonus token
     * @param uniforms    U[0, 1) draws, normally {@code sampler::uniform} of the request
     */
    public static Verification verify(int[] drafts, List<Distribution> draftDists, List<Distribution> targetDists,
                                      DoubleSupplier uniforms) {
        return run(drafts, draftDists, targetDists, 0.0, null, uniforms);
    }

    /**
     * Lossless verification straight from the target's logits rows: p_i is processed with the
     * sampler's params over {@code history} extended by x_1..x_{i-1}, and only when the test
     * reaches draft i (a rejection at i leaves the later rows unread). Outcomes and randomness are
     * those of {@link #verify(int[], List, List, Sampler)} on the processed rows.
     *
     * @param targetRows the k + 1 logits rows of the target decode over [last, x_1..x_k]
     * @param history    the tokens generated so far (penalties); not modified
     */
    public static Verification verifyRows(int[] drafts, List<Distribution> draftDists, float[][] targetRows,
                                          TokenCounts history, Sampler sampler) {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(drafts, "drafts");
        if (targetRows.length != drafts.length + 1) {
            throw new IllegalArgumentException("verifying " + drafts.length + " drafts needs " + (drafts.length + 1)
                    + " target rows (the last for the bonus token), got " + targetRows.length);
        }
        checkDraftShapes(drafts.length, draftDists);
        return run(drafts, draftDists, sampler.targetDistributions(targetRows, drafts, history), 0.0, null,
                sampler::uniform);
    }

    /** Cascade verification with uniforms from the request's sampler. */
    public static Verification verifyTolerant(int[] drafts, List<Distribution> draftDists,
                                              List<Distribution> targetDists, double rollbackThreshold,
                                              Sampler sampler) {
        Objects.requireNonNull(sampler, "sampler");
        return verifyTolerant(drafts, draftDists, targetDists, rollbackThreshold, sampler::uniform);
    }

    /**
     * Verification for an SLM-first cascade: as {@link #verify(int[], List, List, DoubleSupplier)},
     * but a draft the lossless test rejects is kept, flagged as tolerated, when
     * −ln p_i(x_i) ≤ {@code rollbackThreshold}. Verification then continues with the next draft.
     *
     * @param rollbackThreshold τ_rb ≥ 0; 0 is exactly the lossless rule; {@code +Infinity} never
     *                          rolls back, keeping even drafts the target gives probability 0
     */
    public static Verification verifyTolerant(int[] drafts, List<Distribution> draftDists,
                                              List<Distribution> targetDists, double rollbackThreshold,
                                              DoubleSupplier uniforms) {
        return verifyTolerant(drafts, draftDists, targetDists, rollbackThreshold, null, uniforms);
    }

    /**
     * Cascade verification whose rollback test reads −ln s_i(x_i) from separate scoring
     * distributions s_i instead of p_i. At temperature 0 p_i is a point mass, so −ln p_i(x_i) is
     * infinite for every mismatch and nothing could be tolerated; BiLD's rollback compares the
     * model's own probabilities, which a caller can pass here (e.g. the target's logits processed
     * at temperature 1). Acceptance, residual and bonus still use p_i.
     *
     * @param rollbackScores s_1..s_k (a longer list is fine); {@code null} means p_1..p_k
     */
    public static Verification verifyTolerant(int[] drafts, List<Distribution> draftDists,
                                              List<Distribution> targetDists, double rollbackThreshold,
                                              List<Distribution> rollbackScores, DoubleSupplier uniforms) {
        if (!(rollbackThreshold >= 0)) {
            throw new IllegalArgumentException("rollbackThreshold must be >= 0, got " + rollbackThreshold);
        }
        return run(drafts, draftDists, targetDists, rollbackThreshold, rollbackScores, uniforms);
    }

    private static Verification run(int[] drafts, List<Distribution> draftDists, List<Distribution> targetDists,
                                    double rollbackThreshold, List<Distribution> rollbackScores,
                                    DoubleSupplier uniforms) {
        checkShapes(drafts, draftDists, targetDists, rollbackScores);
        return run(drafts, draftDists, targetDists::get, rollbackThreshold, rollbackScores, uniforms);
    }

    /**
     * min(1, p(x) / q(x)), the probability that the lossless test keeps draft {@code token}; with
     * a {@code null} draft distribution, or one that gives the token probability 0, q is taken to
     * be one-hot at the token and the result is p(x).
     */
    public static double acceptanceProbability(Distribution target, Distribution draft, int token) {
        double p = target.prob(token);
        if (isDeterministic(draft, token)) {
            return p;
        }
        return Math.min(1.0, p / draft.prob(token));
    }

    /**
     * The residual norm(max(0, p − q)) from which the replacement of a rejected draft
     * {@code token} is sampled (q one-hot at the token when {@code draft} is null or gives it
     * probability 0, as in {@link #acceptanceProbability}). Its support lies inside p's, so a merge
     * of the two sorted supports suffices. Falls back to p when the residual's mass is at most
     * {@link #MIN_RESIDUAL_MASS}.
     */
    public static Distribution residual(Distribution target, Distribution draft, int token) {
        boolean oneHot = isDeterministic(draft, token);
        int n = target.supportSize();
        int[] tokens = new int[n];
        double[] weights = new double[n];
        int kept = 0;
        double mass = 0;
        int j = 0;
        for (int i = 0; i < n; i++) {
            int t = target.supportToken(i);
            double q;
            if (oneHot) {
                q = t == token ? 1.0 : 0.0;
            } else {
                while (j < draft.supportSize() && draft.supportToken(j) < t) {
                    j++;
                }
                q = j < draft.supportSize() && draft.supportToken(j) == t ? draft.supportProb(j) : 0.0;
            }
            double w = target.supportProb(i) - q;
            if (w > 0) {
                tokens[kept] = t;
                weights[kept++] = w;
                mass += w;
            }
        }
        if (mass <= MIN_RESIDUAL_MASS) {
            return target;
        }
        return Distribution.normalised(target.vocabSize(), Arrays.copyOf(tokens, kept), Arrays.copyOf(weights, kept));
    }

    /** @param targetDists p_i, asked for in increasing i and at most once each */
    private static Verification run(int[] drafts, List<Distribution> draftDists, IntFunction<Distribution> targetDists,
                                    double rollbackThreshold, List<Distribution> rollbackScores,
                                    DoubleSupplier uniforms) {
        int k = drafts.length;
        Objects.requireNonNull(uniforms, "uniforms");
        int[] emitted = new int[k + 1];
        int tolerated = 0;
        for (int i = 0; i < k; i++) {
            Distribution p = targetDists.apply(i);
            Distribution q = draftDists == null ? null : draftDists.get(i);
            int x = drafts[i];
            emitted[i] = x;
            if (accepts(p, q, x, uniforms)) {
                continue;
            }
            Distribution scores = rollbackScores == null ? p : rollbackScores.get(i);
            // Tolerance is looked at only after the lossless test has rejected, and never at
            // τ_rb = 0, so that the exact rule's outcomes and uniform consumption stay untouched.
            if (rollbackThreshold > 0 && -Math.log(scores.prob(x)) <= rollbackThreshold) {
                tolerated++;
                continue;
            }
            // A point-mass p's residual is its argmax; skip the merge (and any randomness).
            emitted[i] = p.isPointMass() ? p.argmax() : draw(residual(p, q, x), uniforms);
            return new Verification(i, Arrays.copyOf(emitted, i + 1), false, i, tolerated);
        }
        emitted[k] = draw(targetDists.apply(k), uniforms);
        return new Verification(k, emitted, true, -1, tolerated);
    }

    /** The lossless acceptance test for one draft; draws a uniform only if the outcome is uncertain. */
    private static boolean accepts(Distribution p, Distribution q, int x, DoubleSupplier uniforms) {
        if (p.isPointMass()) {
            // Greedy: p(x)/q(x) is 0 or >= 1, so the test is certain either way.
            return x == p.argmax();
        }
        double a = acceptanceProbability(p, q, x);
        if (a >= 1) {
            return true;
        }
        if (a <= 0) {
            // x outside p's support (filtered out, or outside the target's vocabulary).
            return false;
        }
        return uniform(uniforms) < a;
    }

    /** Inverse-CDF sampling, consuming randomness exactly as {@link Sampler#sample(Distribution)}. */
    private static int draw(Distribution d, DoubleSupplier uniforms) {
        return d.isPointMass() ? d.argmax() : d.quantile(uniform(uniforms));
    }

    private static double uniform(DoubleSupplier uniforms) {
        double u = uniforms.getAsDouble();
        if (!(u >= 0 && u < 1)) {
            throw new IllegalStateException("uniform source returned " + u + ", outside [0, 1)");
        }
        return u;
    }

    private static boolean isDeterministic(Distribution draft, int token) {
        return draft == null || draft.prob(token) == 0;
    }

    private static void checkDraftShapes(int k, List<Distribution> draftDists) {
        if (draftDists != null && draftDists.size() != k) {
            throw new IllegalArgumentException("got " + draftDists.size() + " draft distributions for " + k + " drafts");
        }
    }

    /** Checks the round's shapes up front, so a malformed round fails before any randomness is drawn. */
    private static int checkShapes(int[] drafts, List<Distribution> draftDists, List<Distribution> targetDists,
                                   List<Distribution> rollbackScores) {
        Objects.requireNonNull(drafts, "drafts");
        Objects.requireNonNull(targetDists, "targetDists");
        int k = drafts.length;
        if (targetDists.size() != k + 1) {
            throw new IllegalArgumentException("verifying " + k + " drafts needs " + (k + 1)
                    + " target distributions (the last for the bonus token), got " + targetDists.size());
        }
        for (int i = 0; i <= k; i++) {
            Objects.requireNonNull(targetDists.get(i), "target distribution " + i);
        }
        checkDraftShapes(k, draftDists);
        if (rollbackScores != null) {
            if (rollbackScores.size() < k) {
                throw new IllegalArgumentException("got " + rollbackScores.size() + " rollback scores for " + k + " drafts");
            }
            for (int i = 0; i < k; i++) {
                Objects.requireNonNull(rollbackScores.get(i), "rollback score distribution " + i);
            }
        }
        return k;
    }
}
