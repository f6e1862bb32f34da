package dev.specd.sampling;

/**
 * The token-level deferral rules of speculative cascades (Narasimhan et al., <i>Faster Cascades
 * via Speculative Decoding</i>, ICLR 2025, section 4): at each drafted position, with the draft's
 * distribution q and the target's p (which the target's parallel scoring gives for every drafted
 * position at once), the rule decides whether this position defers to the target (r = 1) or keeps
 * the draft's distribution (r = 0). Verification then accepts from the mixture
 * π = (1 − r)·q + r·p ({@link CascadeVerifier}).
 *
 * <p>The rules read the models' own beliefs: the softmax of the raw logits at temperature 1, with
 * no filters. The request's processed distributions would make every rule blind under greedy
 * decoding, where both are point masses (max q = max p = 1 everywhere); BiLD's rollback and the
 * cascade's confidence measure look at raw logits for the same reason. Where draft and target
 * vocabularies differ in size, tokens outside one vocabulary have probability 0 under it.
 */
public enum DeferralRule {

    /** Chow's rule on the draft's confidence: defer when max_v q(v) &lt; 1 − α. */
    CHOW {
        @Override
        public boolean defers(double alpha, double maxQ, double maxP, double tv) {
            return maxQ < 1 - alpha;
        }
    },
    /** The confidence gap: defer when max_v q(v) &lt; max_v p(v) − α. */
    DIFF {
        @Override
        public boolean defers(double alpha, double maxQ, double maxP, double tv) {
            return maxQ < maxP - alpha;
        }
    },
    /**
     * The plug-in approximation of the optimal rule for speculative cascades: defer when
     * max_v q(v) &lt; max_v p(v) − α · D_TV(p, q), the expected loss of each model's own choice
     * against the cost α of the rejection that deferring risks (whose probability is D_TV).
     */
    OPT {
        @Override
        public boolean defers(double alpha, double maxQ, double maxP, double tv) {
            return maxQ < maxP - alpha * tv;
        }

        @Override
        boolean needsTotalVariation() {
            return true;
        }
    };

    /**
     * The rule on the statistics it reads.
     *
     * @param maxQ the draft's largest probability
     * @param maxP the target's largest probability
     * @param tv   the total variation distance between p and q (read only by {@link #OPT})
     */
    public abstract boolean defers(double alpha, double maxQ, double maxP, double tv);

    boolean needsTotalVariation() {
        return false;
    }

    /** The rule on two probability vectors (dense, one entry per token; lengths may differ). */
    public boolean defers(double alpha, double[] q, double[] p) {
        return defers(alpha, max(q), max(p), totalVariation(q, p));
    }

    /** The rule on the raw logits of the draft and of the target at the same position. */
    public boolean defers(double alpha, float[] draftLogits, float[] targetLogits) {
        double logZq = Logprobs.logSumExp(draftLogits);
        double logZp = Logprobs.logSumExp(targetLogits);
        double maxQ = Math.exp(draftLogits[LogitsProcessor.argmax(draftLogits)] - logZq);
        double maxP = Math.exp(targetLogits[LogitsProcessor.argmax(targetLogits)] - logZp);
        double tv = needsTotalVariation() ? totalVariation(draftLogits, logZq, targetLogits, logZp) : Double.NaN;
        return defers(alpha, maxQ, maxP, tv);
    }

    private static double totalVariation(float[] q, double logZq, float[] p, double logZp) {
        int n = Math.max(q.length, p.length);
        double sum = 0;
        for (int t = 0; t < n; t++) {
            double a = t < q.length ? Math.exp(q[t] - logZq) : 0;
            double b = t < p.length ? Math.exp(p[t] - logZp) : 0;
            sum += Math.abs(a - b);
        }
        return sum / 2;
    }

    private static double totalVariation(double[] q, double[] p) {
        int n = Math.max(q.length, p.length);
        double sum = 0;
        for (int t = 0; t < n; t++) sum += Math.abs((t < q.length ? q[t] : 0) - (t < p.length ? p[t] : 0));
        return sum / 2;
    }

    private static double max(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, x);
        return m;
    }
}
