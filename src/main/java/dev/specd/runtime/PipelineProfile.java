package dev.specd.runtime;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a pipeline has measured about itself: acceptance per draft position for each
 * {@link RequestClass}, and the {@link CostModel} of its target and draft. The engine thread feeds
 * it after every decode and round; policies read it when a request starts and every round; the
 * profile saver snapshots it from another thread — hence the synchronisation, which is uncontended
 * in practice.
 */
public final class PipelineProfile {

    /** Pipeline-level memory: about the last few hundred rounds of a class weigh in. */
    static final double DECAY = 0.995;
    static final double PRIOR_ALPHA = 0.6;
    static final double PRIOR_WEIGHT = 2;

    private final String pipeline;
    private final String plan;
    private final Map<RequestClass, AcceptanceStats> acceptance = new LinkedHashMap<>();
    private final Map<RequestClass, ConfidenceStats> confidence = new LinkedHashMap<>();
    private final CostModel cost = new CostModel();
    private long rounds;

    /** A profile of nothing yet, for a pipeline whose plan is not known (tests, benchmarks). */
    public PipelineProfile(String pipeline) {
        this(pipeline, "");
    }

    /** @param plan the {@link ProfileStore#planKey} of the pipeline's plan, saved with the profile */
    public PipelineProfile(String pipeline, String plan) {
        this.pipeline = pipeline;
        this.plan = plan;
    }

    public String pipeline() {
        return pipeline;
    }

    /** One verified round of a request of class {@code cls}. */
    public synchronized void observe(RequestClass cls, RoundRecord r) {
        stats(cls).observe(r.drafted(), r.acceptedPrefix());
        cost.observeDraft(r.drafted(), r.draftNanos());
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

    /** One target decode of {@code tokens} tokens (the whole batch) that took {@code nanos}. */
    public synchronized void observeVerify(int tokens, long nanos) {
        cost.observeVerify(tokens, nanos);
    }

    /** A turn's work besides the decodes (sampling, verification, emission). */
    public synchronized void observeTurnOverhead(long nanos) {
        cost.observeTurnOverhead(nanos);
    }

    public synchronized void observeDraft(int tokens, long nanos) {
        cost.observeDraft(tokens, nanos);
    }

    public synchronized long rounds() {
        return rounds;
    }

    /**
     * A request's own acceptance estimates, warm-started from its class's: the pipeline's counts
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

    /** Predicted target decode time of a batch of {@code tokens} tokens; 0 before any measurement. */
    synchronized double verifyNanos(int tokens) {
        return cost.verifyNanos(tokens);
    }

    synchronized double draftNanosPerToken() {
        return cost.draftNanosPerToken();
    }

    public synchronized boolean calibrated() {
        return cost.calibrated();
    }

    /**
     * Predicted time of one sequence's round drafting k = 0..limit tokens when {@code concurrent}
     * sequences share the batch, each bringing 1 + k tokens: its share of the verify decode, its
     * drafting, and its share of the turn's other work. At least 1 ns, so rates stay finite.
     */
    synchronized double[] roundNanos(int concurrent, int limit) {
        double[] out = new double[limit + 1];
        double overhead = cost.turnOverheadNanos() / concurrent;
        for (int k = 0; k <= limit; k++) {
            out[k] = Math.max(1, cost.verifyNanos(concurrent * (1 + k)) / concurrent
                    + cost.draftNanosPerToken() * k + overhead);
        }
        return out;
    }

    /** What the profile knows, for people: α by draft position for {@code cls}, and the cost model. */
    public synchronized String report(RequestClass cls, int positions) {
        StringBuilder s = new StringBuilder("alpha by draft position (").append(cls.key()).append("):");
        for (int i = 0; i < positions; i++) s.append(String.format(Locale.ROOT, " %.2f", alpha(cls, i)));
        s.append("\nverify ms by batch tokens:");
        for (int t : new int[] {1, 2, 4, 8, 16}) s.append(String.format(Locale.ROOT, " %d:%.1f", t, verifyMillis(t)));
        return s.append(String.format(Locale.ROOT, "\ndraft ms per token: %.2f", draftMillisPerToken())).toString();
    }

    /** Predicted verify time in milliseconds (for logs and reports). */
    public double verifyMillis(int tokens) {
        return verifyNanos(tokens) / 1e6;
    }

    public double draftMillisPerToken() {
        return draftNanosPerToken() / 1e6;
    }

    /** The class's current estimate of α at a draft position (for reports and tests). */
    public synchronized double alpha(RequestClass cls, int position) {
        AcceptanceStats s = acceptance.get(cls); // reading must not add a class to the saved profile
        return s == null ? PRIOR_ALPHA : s.alpha(position);
    }

    private AcceptanceStats stats(RequestClass cls) {
        return acceptance.computeIfAbsent(cls, c -> new AcceptanceStats(DECAY, PRIOR_ALPHA, PRIOR_WEIGHT));
    }

    /** Everything measured, as saved to disk (see {@link ProfileStore}). */
    public synchronized ProfileData snapshot() {
        Map<String, PositionCounts> classes = new TreeMap<>();
        acceptance.forEach((c, s) -> classes.put(c.key(), s.snapshot()));
        Map<String, PositionCounts> calibration = new TreeMap<>();
        confidence.forEach((c, s) -> calibration.put(c.key(), s.snapshot()));
        CostModel.Snapshot c = cost.snapshot();
        return new ProfileData(ProfileData.VERSION, pipeline, plan, rounds, classes, calibration, c.verifyNanos(),
                c.draftNanosPerToken(), c.turnOverheadNanos());
    }

    /** Warm start: replaces what this profile knows with a saved one. */
    public synchronized void restore(ProfileData data) {
        acceptance.clear();
        confidence.clear();
        data.classes().forEach((key, s) -> RequestClass.parse(key).ifPresent(c -> stats(c).restore(s)));
        data.confidence().forEach((key, s) -> RequestClass.parse(key).ifPresent(c ->
                confidence.computeIfAbsent(c, x -> new ConfidenceStats()).restore(s)));
        cost.restore(new CostModel.Snapshot(data.verifyNanos(), data.draftNanosPerToken(), data.turnOverheadNanos()));
        rounds = data.rounds();
    }
}
