package dev.specd.plan;

/**
 * A compiled pipeline: everything the runtime and scheduler need, immutable.
 *
 * @param sequenceBudget KV cells one sequence may use: its fair share of the context, so that a
 *                       full set of concurrent sequences can never run the cache out
 */
public record ExecutionPlan(String id, String description, ModelRef target, int contextLength, int sequences,
                            int threads, int gpuLayers, int sequenceBudget, RequestDefaults defaults, String source) {

    /** A readable dump of the plan, like a compiler's IR listing. */
    public String dump() {
        return """
                plan %s  (from %s)
                  target      %s
                  context     %d cells, %d sequences, %d cells per sequence
                  threads     %s
                  gpu layers  %d
                  mode        target-only
                  defaults    max_tokens=%d temperature=%s top_p=%s
                """.formatted(id, source, target.describe(), contextLength, sequences, sequenceBudget,
                threads == 0 ? "one per core" : Integer.toString(threads), gpuLayers, defaults.maxTokens(),
                defaults.temperature(), defaults.topP());
    }
}
