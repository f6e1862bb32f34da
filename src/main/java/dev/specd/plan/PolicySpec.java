package dev.specd.plan;

/**
 * The draft-length policy of a pipeline.
 *
 * @param policy         which controller picks k each round
 * @param stopConfidence heuristic drafts stop after a token whose draft confidence (the pipeline's
 *                       confidence measure: max probability or 1 − normalised entropy) is below
 *                       this, as Hugging Face's do (0.4); the adaptive policy instead stops where
 *                       its calibration of confidence against acceptance says one more token does
 *                       not pay, and any value above 0 just turns that on. 0: drafts never stop early.
 * @param reprobeEvery   after the adaptive policy turned speculation off, it drafts again once
 *                       every this many rounds to see whether acceptance came back
 * @param confidence     how a lossless draft's confidence in a token is measured for the early
 *                       stop (a cascade uses its own {@link CascadeSpec#confidence()})
 */
public record PolicySpec(SpeculationPolicy policy, double stopConfidence, int reprobeEvery,
                         CascadeSpec.Confidence confidence) {

    public static final double DEFAULT_STOP_CONFIDENCE = 0.4;
    public static final int DEFAULT_REPROBE_EVERY = 16;

    /** Adaptive is the default: speculation should pay for itself or step aside. */
    public static final PolicySpec DEFAULT = new PolicySpec(SpeculationPolicy.ADAPTIVE, DEFAULT_STOP_CONFIDENCE,
            DEFAULT_REPROBE_EVERY);

    /** Always the full k: benchmarks and tests that compare fixed draft lengths. */
    public static final PolicySpec STATIC = DEFAULT.withPolicy(SpeculationPolicy.STATIC);

    /** With the draft's largest probability as its confidence. */
    public PolicySpec(SpeculationPolicy policy, double stopConfidence, int reprobeEvery) {
        this(policy, stopConfidence, reprobeEvery, CascadeSpec.Confidence.MAX_PROB);
    }

    public PolicySpec {
        if (!(stopConfidence >= 0 && stopConfidence <= 1)) {
            throw new IllegalArgumentException("stop_confidence must be in [0, 1], got " + stopConfidence);
        }
        if (reprobeEvery < 1) throw new IllegalArgumentException("reprobe_every must be >= 1, got " + reprobeEvery);
    }

    public PolicySpec withPolicy(SpeculationPolicy p) {
        return new PolicySpec(p, stopConfidence, reprobeEvery, confidence);
    }
}
