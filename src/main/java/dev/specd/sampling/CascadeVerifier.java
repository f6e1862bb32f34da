package dev.specd.sampling;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The verify step of a speculative cascade (Narasimhan et al., ICLR 2025): speculative sampling
 * whose target is not p but, at each drafted position i, the mixture π_i = (1 − r_i)·q_i + r_i·p_i
 * chosen by the cascade's deferral rule ({@link DeferralRule}, r_i ∈ [0, 1]). Draft x_i ~ q_i is
 * accepted with probability min(1, π_i(x_i) / q_i(x_i)) = min(1, (1 − r_i) + r_i·p_i(x_i)/q_i(x_i));
 * at the first rejection the replacement is drawn from norm(max(0, π_i − q_i)) =
 * norm(r_i·max(0, p_i − q_i)), which for any r_i &gt; 0 is the lossless residual; if every draft is
 * accepted the bonus token is drawn from p_{k+1} (no draft distribution exists there, and the
 * target's own is the one to trust). So each emitted token at a drafted position is distributed as
 * π_i: exactly the draft's where the rule keeps it, exactly the target's where it defers.
 *
 * <p>r_i = 1 everywhere is lossless verification, with the same outcomes and the same uniforms
 * consumed as {@link RejectionSampler#verify}; a deterministic draft (null q_i, or q_i(x_i) = 0) is
 * always verified losslessly, since "keep the draft's distribution" means nothing for a one-hot
 * proposal that did not come from a model. Randomness: one uniform per draft whose acceptance
 * probability lies strictly between 0 and 1, then one for the closing token unless its
 * distribution is a point mass.
 */
public final class CascadeVerifier {

    private CascadeVerifier() {
    }

    /** min(1, π(x)/q(x)) for π = (1 − r)·q + r·p; a deterministic draft is verified losslessly (p(x)). */
    public static double acceptanceProbability(Distribution target, Distribution draft, int token, double defer) {
        if (draft == null || draft.prob(token) == 0) return target.prob(token);
        return Math.min(1.0, (1 - defer) + defer * target.prob(token) / draft.prob(token));
    }

    /**
     * @param drafts      x_1..x_k
     * @param draftDists  q_1..q_k; null entries (or a null list) for deterministic drafts
     * @param targetDists p_1..p_{k+1}
     * @param defer       r_1..r_k in [0, 1] (the rule's decisions; 1 = the target's distribution)
     */
    public static Verification verify(int[] drafts, List<Distribution> draftDists, List<Distribution> targetDists,
                                      double[] defer, DoubleSupplier uniforms) {
        Objects.requireNonNull(uniforms, "uniforms");
        int k = drafts.length;
        if (targetDists.size() != k + 1 || defer.length != k || (draftDists != null && draftDists.size() != k)) {
            throw new IllegalArgumentException("verifying " + k + " drafts needs " + (k + 1) + " target distributions, "
                    + k + " draft distributions and " + k + " deferral decisions");
        }
        for (double r : defer) {
            if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("deferral must be in [0, 1], got " + r);
        }
        int[] emitted = new int[k + 1];
        for (int i = 0; i < k; i++) {
            Distribution p = targetDists.get(i);
            Distribution q = draftDists == null ? null : draftDists.get(i);
            int x = drafts[i];
            emitted[i] = x;
            double a = acceptanceProbability(p, q, x, defer[i]);
            if (a >= 1 || (a > 0 && uniform(uniforms) < a)) continue;
            // Rejected, so r_i > 0 (r_i = 0 accepts with certainty): the residual is the lossless one.
            emitted[i] = p.isPointMass() ? p.argmax() : draw(RejectionSampler.residual(p, q, x), uniforms);
            return new Verification(i, Arrays.copyOf(emitted, i + 1), false, i, 0);
        }
        emitted[k] = draw(targetDists.get(k), uniforms);
        return new Verification(k, emitted, true, -1, 0);
    }

    private static int draw(Distribution d, DoubleSupplier uniforms) {
        return d.isPointMass() ? d.argmax() : d.quantile(uniform(uniforms));
    }

    private static double uniform(DoubleSupplier uniforms) {
        double u = uniforms.getAsDouble();
        if (!(u >= 0 && u < 1)) throw new IllegalStateException("uniform source returned " + u + ", outside [0, 1)");
        return u;
    }
}
