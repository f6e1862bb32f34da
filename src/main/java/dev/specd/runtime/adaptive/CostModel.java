package dev.specd.runtime.adaptive;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an engine's work costs, measured once per target at start-up ({@link Calibration}) and
 * refined by every decode: the target's decode time by batch size, each draft model's step time by
 * batch size (the draft steps of every drafting sequence go in one batch), and a turn's host work
 * besides the decodes (sampling, verification, emission). Shared by the engine's presets; the
 * adaptive policy predicts a round's time from it. Thread-safe (the engine thread writes, request
 * threads and the profile saver read).
 */
public final class CostModel {

    private static final double LEARNING_RATE = 0.05;
    /** An online figure this far from the calibrated one, either way, asks for a new calibration. */
    static final double DISAGREEMENT = 2.0;
    /** Observations of a size before its online figure may call the calibration into question. */
    private static final int MIN_EVIDENCE = 16;

    private final CostCurve verify = new CostCurve();
    private final Map<String, CostCurve> drafts = new LinkedHashMap<>();
    /** What calibration measured, to notice when the machine changed under it. */
    private final CostCurve calibratedVerify = new CostCurve();
    private final int[] evidence = new int[CostCurve.MAX_TOKENS + 1];
    private double turnOverhead;
    private long observations;

    public synchronized void observeVerify(int tokens, long nanos) {
        verify.observe(tokens, nanos);
        if (tokens >= 1 && tokens <= CostCurve.MAX_TOKENS) evidence[tokens]++;
        observations++;
    }

    /** One batched step of draft model {@code model}: {@code tokens} tokens in all. */
    public synchronized void observeDraft(String model, int tokens, long nanos) {
        drafts.computeIfAbsent(model, m -> new CostCurve()).observe(tokens, nanos);
    }

    /** A turn's host work besides the decodes, shared by its sequences. */
    public synchronized void observeTurnOverhead(long nanos) {
        if (nanos < 0) return;
        if (turnOverhead == 0) {
            turnOverhead = nanos;
            return;
        }
        double clamped = Math.max(turnOverhead / 2, Math.min(turnOverhead * 2, nanos));
        turnOverhead += LEARNING_RATE * (clamped - turnOverhead);
    }

    /** A calibrated figure: replaces what was there (online refinement starts from it). */
    public synchronized void calibrateVerify(int tokens, double nanos) {
        verify.set(tokens, nanos);
        calibratedVerify.set(tokens, nanos);
        if (tokens >= 1 && tokens <= CostCurve.MAX_TOKENS) evidence[tokens] = 0;
    }

    public synchronized void calibrateDraft(String model, int tokens, double nanos) {
        drafts.computeIfAbsent(model, m -> new CostCurve()).set(tokens, nanos);
    }

    public synchronized boolean calibrated() {
        return verify.hasData();
    }

    /**
     * Whether the online figures disagree with the calibration by more than {@link #DISAGREEMENT}×
     * at a well-observed size: the calibration was disturbed (or the machine changed) and should be
     * measured again when the engine is idle.
     */
    public synchronized boolean disagreesWithCalibration() {
        for (int t = 1; t <= CostCurve.MAX_TOKENS; t++) {
            double c = calibratedVerify.measured(t);
            if (c <= 0 || evidence[t] < MIN_EVIDENCE) continue;
            double online = verify.measured(t);
            if (online > c * DISAGREEMENT || online < c / DISAGREEMENT) return true;
        }
        return false;
    }

    /** Predicted target decode time of a batch of {@code tokens} tokens; 0 before any measurement. */
    public synchronized double verifyNanos(int tokens) {
        return verify.predict(tokens);
    }

    /** Predicted time of one batched draft step of {@code sequences} sequences on {@code model}; 0 without one. */
    public synchronized double draftStepNanos(String model, int sequences) {
        CostCurve c = model == null ? null : drafts.get(model);
        return c == null ? 0 : c.predict(sequences);
    }

    public synchronized double turnOverheadNanos() {
        return turnOverhead;
    }

    public synchronized long observations() {
        return observations;
    }

    public synchronized CostData snapshot(String engine, String key) {
        Map<String, double[]> d = new TreeMap<>();
        drafts.forEach((m, c) -> d.put(m, c.snapshot()));
        return new CostData(CostData.VERSION, engine, key, observations, verify.snapshot(),
                calibratedVerify.snapshot(), d, turnOverhead);
    }

    /** Warm start: replaces what this model knows with a saved one. */
    public synchronized void restore(CostData data) {
        verify.restore(data.verifyNanos());
        calibratedVerify.restore(data.calibratedVerifyNanos());
        drafts.clear();
        data.draftNanos().forEach((m, c) -> drafts.computeIfAbsent(m, x -> new CostCurve()).restore(c));
        turnOverhead = Double.isFinite(data.turnOverheadNanos()) && data.turnOverheadNanos() > 0
                ? data.turnOverheadNanos() : 0;
        observations = data.observations();
        java.util.Arrays.fill(evidence, 0);
    }
}
