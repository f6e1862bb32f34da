package dev.specd.plan;

import java.util.Locale;

/**
 * Cascade settings: an SLM-first cascade (BiLD, arXiv 2302.07863) or a speculative cascade
 * (Narasimhan et al., <i>Faster Cascades via Speculative Decoding</i>, ICLR 2025).
 *
 * @param confidence    how the draft model's confidence in a token is measured (BiLD's hand-over)
 * @param tau           BiLD: the draft model continues alone while confidence ≥ tau; 1 ⇒ every token
 *                      is verified ⇒ lossless
 * @param rollback      BiLD: a rejected token is kept anyway when the target's −log p of it is ≤ this;
 *                      0 = the lossless acceptance rule
 * @param maxUnverified BiLD: escalate at the latest after this many unverified tokens (bounds how long
 *                      a stream waits and how much the target must catch up in one batch)
 * @param rule          {@link Rule#BILD}, or a speculative cascade's token-level deferral rule
 * @param alpha         the deferral rule's parameter (the quality knob: a larger alpha defers less,
 *                      so it is faster and further from the target); unused by BiLD
 */
public record CascadeSpec(Confidence confidence, double tau, double rollback, int maxUnverified, Rule rule,
                          double alpha) {

    public enum Confidence {
        /** The draft distribution's largest probability. */
        MAX_PROB,
        /** 1 − normalised entropy of the draft distribution (1 = certain, 0 = uniform). */
        ENTROPY
    }

    /**
     * How a cascade decides where the target's distribution takes over. Every rule but BiLD is a
     * speculative cascade: the draft model drafts k tokens, the target scores them in one batch as
     * in lossless speculation, and each position accepts from the mixture (1 − r)·q + r·p, r being
     * the rule's deferral decision at that position (r = 1: the target's distribution, lossless).
     */
    public enum Rule {
        /** SLM-first cascade: the draft model alone while confident, then the target verifies. */
        BILD(0, 0, 0),
        /** Defer when the draft is unsure: max q &lt; 1 − alpha, alpha in [0, 1]. */
        CHOW(0, 1, 0.1),
        /** Defer when the target is surer than the draft: max q &lt; max p − alpha, alpha in [−1, 1]. */
        DIFF(-1, 1, 0.1),
        /**
         * The plug-in optimal rule: max q &lt; max p − alpha · TV(p, q), alpha the cost of deferring.
         * Since TV(p, q) ≥ max p − max q always, from alpha 1 on it never defers: alpha in [0, 1].
         */
        OPT(0, 1, 0.5);

        private final double min;
        private final double max;
        private final double defaultAlpha;

        Rule(double min, double max, double defaultAlpha) {
            this.min = min;
            this.max = max;
            this.defaultAlpha = defaultAlpha;
        }

        public double minAlpha() {
            return min;
        }

        public double maxAlpha() {
            return max;
        }

        public double defaultAlpha() {
            return defaultAlpha;
        }

        /** Whether this is a speculative cascade (parallel verification with a deferral rule). */
        public boolean speculative() {
            return this != BILD;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final CascadeSpec DEFAULT = new CascadeSpec(Confidence.MAX_PROB, 0.7, 0.0, 32);

    public CascadeSpec {
        if (rule == null || confidence == null) throw new NullPointerException("cascade settings");
        // The range is the parser's and the override's to check, each naming its field.
    }

    /** A BiLD cascade. */
    public CascadeSpec(Confidence confidence, double tau, double rollback, int maxUnverified) {
        this(confidence, tau, rollback, maxUnverified, Rule.BILD, 0.0);
    }

    /** A speculative cascade with {@code rule} and its parameter (the BiLD fields at their defaults). */
    public static CascadeSpec speculative(Rule rule, double alpha) {
        CascadeSpec d = DEFAULT;
        return new CascadeSpec(d.confidence, d.tau, d.rollback, d.maxUnverified, rule, alpha);
    }

    public CascadeSpec withTau(double t) {
        return new CascadeSpec(confidence, t, rollback, maxUnverified, rule, alpha);
    }

    public CascadeSpec withRule(Rule r, double a) {
        return new CascadeSpec(confidence, tau, rollback, maxUnverified, r, a);
    }
}
