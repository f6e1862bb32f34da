package dev.specd.plan;

/**
 * SLM-first cascade settings (after BiLD, arXiv 2302.07863).
 *
 * @param confidence    how the draft model's confidence in a token is measured
 * @param tau           the draft model continues alone while confidence ≥ tau; 1 ⇒ every token is
 *                      verified ⇒ lossless
 * @param rollback      a rejected token is kept anyway when the target's −log p of it is ≤ this; 0 =
 *                      the lossless acceptance rule
 * @param maxUnverified escalate at the latest after this many unverified tokens (bounds how long a
 *                      stream waits and how much the target must catch up in one batch)
 */
public record CascadeSpec(Confidence confidence, double tau, double rollback, int maxUnverified) {

    public enum Confidence {
        /** The draft distribution's largest probability. */
        MAX_PROB,
        /** 1 − normalised entropy of the draft distribution (1 = certain, 0 = uniform). */
        ENTROPY
    }

    public static final CascadeSpec DEFAULT = new CascadeSpec(Confidence.MAX_PROB, 0.7, 0.0, 32);

    public CascadeSpec withTau(double t) {
        return new CascadeSpec(confidence, t, rollback, maxUnverified);
    }
}
