package dev.specd.plan;

/**
 * How speculation runs: as a pipeline's spec writes it, as its plan compiles it, and as one request
 * runs it (the plan's, with the request's overrides applied by {@link ExecutionPlan#withOverride}).
 * The one record of these settings: specs, plans, requests and the runtime all read this.
 *
 * @param mode    {@link SpeculationMode#OFF} for target-only generation
 * @param k       largest number of tokens drafted per round (the static policy always drafts k, the
 *                others up to k); in a spec 0 means "not written" and the compiler's fold-defaults
 *                pass makes it {@link #DEFAULT_K}; 0 with mode OFF
 * @param cascade the cascade settings; meaningful only with {@link SpeculationMode#CASCADE}
 * @param policy  how k is chosen each round
 * @param selection how each round's drafter is chosen among the pipeline's drafters
 */
public record SpeculationSpec(SpeculationMode mode, int k, CascadeSpec cascade, PolicySpec policy,
                              DraftSelection selection) {

    /** Draft length when the spec does not give one (llama.cpp's and Hugging Face's usual start). */
    public static final int DEFAULT_K = 4;

    /** Upper bound on k: a verify batch of k + 1 rows per sequence must stay a small batch. */
    public static final int MAX_K = 32;

    public static final SpeculationSpec OFF = new SpeculationSpec(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT,
            PolicySpec.DEFAULT);

    public SpeculationSpec {
        if (mode == null || cascade == null || policy == null || selection == null) {
            throw new NullPointerException("speculation settings");
        }
        // The upper bound is the compiler's and the override's to check, each naming its field.
        if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
    }

    /** Settings that take the first drafter that proposes anything, as the spec orders them. */
    public SpeculationSpec(SpeculationMode mode, int k, CascadeSpec cascade, PolicySpec policy) {
        this(mode, k, cascade, policy, DraftSelection.FIRST);
    }

    /** A fixed k every round (the static policy): benchmarks and tests that compare draft lengths. */
    public static SpeculationSpec fixed(SpeculationMode mode, int k, CascadeSpec cascade) {
        return mode == SpeculationMode.OFF ? OFF : new SpeculationSpec(mode, k, cascade, PolicySpec.STATIC);
    }

    public boolean speculates() {
        return mode != SpeculationMode.OFF;
    }

    public SpeculationSpec withPolicy(PolicySpec p) {
        return new SpeculationSpec(mode, k, cascade, p, selection);
    }

    public SpeculationSpec withK(int newK) {
        return new SpeculationSpec(mode, newK, cascade, policy, selection);
    }

    public SpeculationSpec withCascade(CascadeSpec c) {
        return new SpeculationSpec(mode, k, c, policy, selection);
    }

    public SpeculationSpec withSelection(DraftSelection s) {
        return new SpeculationSpec(mode, k, cascade, policy, s);
    }
}
