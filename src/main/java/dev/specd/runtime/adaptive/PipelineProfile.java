package dev.specd.runtime.adaptive;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a preset has measured about its drafts: acceptance per draft position and the calibration
 * of draft confidence against acceptance, for each {@link RequestClass}. Costs are the engine's
 * ({@link CostModel}, shared by all its presets); this profile reads them for its own draft model.
 * The engine thread feeds it after every round; policies read it when a request starts and every
 * round; the profile saver snapshots it from another thread — hence the synchronisation, which is
 * uncontended in practice.
 */
public final class PipelineProfile {

    /** Preset-level memory: about the last few hundred rounds of a class weigh in. */
    static final double DECAY = 0.995;
    static final double PRIOR_ALPHA = 0.6;
    static final double PRIOR_WEIGHT = 2;

    private final String pipeline;
    private final String plan;
    private final CostModel costs;
    /** The draft model whose step costs this preset's rounds pay; null when it drafts for free. */
    private final String draftModel;
    private final Map<RequestClass, AcceptanceStats> acceptance = new LinkedHashMap<>();
    private final Map<RequestClass, ConfidenceStats> confidence = new LinkedHashMap<>();
    private long rounds;

    /** A profile of nothing yet, with costs of its own (tests, benchmarks). */
    public PipelineProfile(String pipeline) {
        this(pipeline, "", new CostModel(), null);
    }

    /**
     * @param plan       a key of what the figures depend on, saved with the profile
     * @param costs      the engine's cost model
     * @param draftModel the key of the preset's draft model in {@code costs}, or null
     */
    public PipelineProfile(String pipeline, String plan, CostModel costs, String draftModel) {
        this.pipeline = pipeline;
        this.plan = plan;
        this.costs = costs;
        this.draftModel = draftModel;
    }

    public String pipeline() {
        return pipeline;
    }

    public CostModel costs() {
        return costs;
    }

    /** One verified round of a request of class {@code cls}. */
    public synchronized void observe(RequestClass cls, RoundRecord r) {
        stats(cls).observe(r.drafted(), r.acceptedPrefix());
        rounds++;
    }

    /** The draft confidences of a verified round's tokens, of which the first {@code acceptedPrefix} were accepted. */
    public synchronized void observeConfidence(RequestClass cls, double[] confidences, int acceptedPrefix) {
        confidence.computeIfAbsent(cls, c -> new ConfidenceStats()).observe(confidences, acceptedPrefix);
    }

    /** Calibrated chance that a token drafted with {@code conf} is accepted; {@code prior} where unmeasured. */
    synchronized double acceptanceAt(RequestClass cls, double conf, double prior) {
        ConfidenceStats s = confidence.get(cls);
        return s == null ? prior : s.acceptance(conf, prior);
    }

    public synchronized long rounds() {
        return rounds;
    }

    /**
     * A request's own acceptance estimates, warm-started from its class's: the preset's counts
     * scaled to at most {@code weight} rounds of evidence, so that the request's own rounds soon
     * outweigh them.
     */
    synchronized AcceptanceStats startRequest(RequestClass cls, double decay, double weight) {
        AcceptanceStats own = new AcceptanceStats(decay, PRIOR_ALPHA, PRIOR_WEIGHT);
        AcceptanceStats shared = acceptance.get(cls);
        double evidence = shared == null ? 0 : shared.evidence(0);
        if (evidence > 0) own.absorb(shared, Math.min(1, weight / evidence));
        return own;
    }

    public boolean calibrated() {
        return costs.calibrated();
    }

    /**
     * Predicted time of one sequence's round drafting k = 0..limit tokens when {@code concurrent}
     * sequences share the batches, each bringing 1 + k tokens: its share of the verify decode, its
     * share of k batched draft steps, and its share of the turn's other work. At least 1 ns, so
     * rates stay finite.
     */
    double[] roundNanos(int concurrent, int limit) {
        double[] out = new double[limit + 1];
        double overhead = costs.turnOverheadNanos() / concurrent;
        double draftStep = costs.draftStepNanos(draftModel, concurrent) / concurrent;
        for (int k = 0; k <= limit; k++) {
            out[k] = Math.max(1, costs.verifyNanos(concurrent * (1 + k)) / concurrent + draftStep * k + overhead);
        }
        return out;
    }

    /** What the profile knows, for people: α by draft position for {@code cls}, and the cost model. */
    public String report(RequestClass cls, int positions) {
        StringBuilder s = new StringBuilder("alpha by draft position (").append(cls.key()).append("):");
        for (int i = 0; i < positions; i++) s.append(String.format(Locale.ROOT, " %.2f", alpha(cls, i)));
        s.append("\nverify ms by batch tokens:");
        for (int t : new int[] {1, 2, 4, 8, 16}) s.append(String.format(Locale.ROOT, " %d:%.2f", t, verifyMillis(t)));
        return s.append(String.format(Locale.ROOT, "\ndraft ms per step (1 sequence): %.3f", draftMillisPerToken()))
                .toString();
    }

    /** Predicted verify time in milliseconds (for logs and reports). */
    public double verifyMillis(int tokens) {
        return costs.verifyNanos(tokens) / 1e6;
    }

    /** Predicted time of a one-sequence draft step, in milliseconds. */
    public double draftMillisPerToken() {
        return costs.draftStepNanos(draftModel, 1) / 1e6;
    }

    /** The class's current estimate of α at a draft position (for reports and tests). */
    public synchronized double alpha(RequestClass cls, int position) {
        AcceptanceStats s = acceptance.get(cls); // reading must not add a class to the saved profile
        return s == null ? PRIOR_ALPHA : s.alpha(position);
    }

    private AcceptanceStats stats(RequestClass cls) {
        return acceptance.computeIfAbsent(cls, c -> new AcceptanceStats(DECAY, PRIOR_ALPHA, PRIOR_WEIGHT));
    }

    /** Everything measured, as saved to disk. */
    public synchronized ProfileData snapshot() {
        Map<String, PositionCounts> classes = new TreeMap<>();
        acceptance.forEach((c, s) -> classes.put(c.key(), s.snapshot()));
        Map<String, PositionCounts> calibration = new TreeMap<>();
        confidence.forEach((c, s) -> calibration.put(c.key(), s.snapshot()));
        return new ProfileData(ProfileData.VERSION, pipeline, plan, rounds, classes, calibration);
    }

    /** Warm start: replaces what this profile knows with a saved one. */
    public synchronized void restore(ProfileData data) {
        acceptance.clear();
        confidence.clear();
        data.classes().forEach((key, s) -> RequestClass.parse(key).ifPresent(c -> stats(c).restore(s)));
        data.confidence().forEach((key, s) -> RequestClass.parse(key).ifPresent(c ->
                confidence.computeIfAbsent(c, x -> new ConfidenceStats()).restore(s)));
        rounds = data.rounds();
    }
}
