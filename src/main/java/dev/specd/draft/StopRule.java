package dev.specd.draft;

/** Decides after each drafted token whether to stop drafting, from the draft model's confidence in it. */
@FunctionalInterface
public interface StopRule {

    StopRule NEVER = confidence -> false;

    /** Stop after a token whose confidence is below {@code threshold}. */
    static StopRule below(double threshold) {
        return confidence -> confidence < threshold;
    }

    boolean stopAfter(double confidence);
}
