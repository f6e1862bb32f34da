package dev.specd.runtime;

import java.util.Map;

/**
 * A pipeline profile as saved to disk (PGO): versioned so that a later specd can refuse, rather
 * than misread, an older layout.
 *
 * @param version     {@link #VERSION} when written by this build
 * @param plan        {@link ProfileStore#planKey} of the plan it was measured with: a profile of
 *                    other models or threads would mislead the policies
 * @param classes     per request class ({@code lossless/greedy}…): decayed counts per draft position
 * @param confidence  per request class: decayed counts per draft-confidence bucket (width 0.05)
 * @param verifyNanos index = target batch tokens: mean decode nanoseconds, 0 = not measured
 * @param turnOverheadNanos an engine turn's work besides the decodes; 0 in profiles that predate it
 */
public record ProfileData(int version, String pipeline, String plan, long rounds, Map<String, PositionCounts> classes,
                          Map<String, PositionCounts> confidence,
                          double[] verifyNanos, double draftNanosPerToken, double turnOverheadNanos) {

    public static final int VERSION = 1;

    public ProfileData {
        classes = classes == null ? Map.of() : Map.copyOf(classes);
        confidence = confidence == null ? Map.of() : Map.copyOf(confidence);
        // Missing parts read as "not measured", so that a hand-edited or partial file loads.
        verifyNanos = verifyNanos == null ? new double[0] : verifyNanos;
    }
}
