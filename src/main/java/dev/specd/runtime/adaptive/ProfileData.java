package dev.specd.runtime.adaptive;

import java.util.Map;

/**
 * A preset's acceptance profile as saved to disk (PGO), versioned so that a later specd can refuse,
 * rather than misread, an older layout. The engine's costs are saved apart ({@link CostData}).
 *
 * @param version    {@link #VERSION} when written by this build
 * @param plan       what the figures depend on (models, drafters): a profile of other models would
 *                   mislead the policies
 * @param rounds     speculation rounds observed since the profile was new (the newer of two saves has more)
 * @param classes    per request class ({@code lossless/greedy}…): decayed counts per draft position
 * @param confidence per request class: decayed counts per draft-confidence bucket (width 0.05)
 */
public record ProfileData(int version, String pipeline, String plan, long rounds, Map<String, PositionCounts> classes,
                          Map<String, PositionCounts> confidence) {

    public static final int VERSION = 2;

    public ProfileData {
        classes = classes == null ? Map.of() : Map.copyOf(classes);
        confidence = confidence == null ? Map.of() : Map.copyOf(confidence);
    }
}
