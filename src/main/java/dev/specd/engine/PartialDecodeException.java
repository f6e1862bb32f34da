package dev.specd.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A batched decode in which some steps failed even when decoded alone, while the others went
 * through: the caller ends the failed sequences and goes on with the rest, so that one request's
 * failure never ends another's. The failed steps' sequences are left exactly as they were before
 * the call; the others advanced.
 */
public final class PartialDecodeException extends EngineException {

    private final List<float[][]> results;
    private final Map<Integer, EngineException> failures;

    /**
     * @param results  per step, in order: its logits rows, or null where it failed
     * @param failures by step index, why it failed
     */
    public PartialDecodeException(List<float[][]> results, Map<Integer, EngineException> failures) {
        super(failures.size() + " of " + results.size() + " decode steps failed: "
                + failures.values().iterator().next().getMessage());
        this.results = Collections.unmodifiableList(new ArrayList<>(results));
        this.failures = Map.copyOf(failures);
    }

    /** Per step: its logits rows, or null where it failed. */
    public List<float[][]> results() {
        return results;
    }

    /** By step index: why the step failed. */
    public Map<Integer, EngineException> failures() {
        return failures;
    }
}
