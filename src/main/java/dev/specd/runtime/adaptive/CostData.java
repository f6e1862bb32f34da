package dev.specd.runtime.adaptive;

import java.util.Map;

/**
 * An engine's {@link CostModel} as saved to disk (PGO), versioned so that a later specd can refuse,
 * rather than misread, an older layout.
 *
 * @param key                   what the figures depend on (the target, threads, GPU layers,
 *                              sequences, context): a saved model measured otherwise is not loaded
 * @param observations          decodes observed since the model was new (the newer of two saves has more)
 * @param verifyNanos           index = target batch tokens: nanoseconds, 0 = not measured
 * @param calibratedVerifyNanos the same as the last calibration measured it
 * @param draftNanos            per draft model: index = batch tokens of a draft step
 */
public record CostData(int version, String engine, String key, long observations, double[] verifyNanos,
                       double[] calibratedVerifyNanos, Map<String, double[]> draftNanos, double turnOverheadNanos) {

    public static final int VERSION = 2;

    public CostData {
        verifyNanos = verifyNanos == null ? new double[0] : verifyNanos.clone();
        calibratedVerifyNanos = calibratedVerifyNanos == null ? new double[0] : calibratedVerifyNanos.clone();
        draftNanos = draftNanos == null ? Map.of() : Map.copyOf(draftNanos);
    }
}
