package dev.specd.plan;

import java.util.List;

/**
 * A compiled pipeline: everything the runtime and scheduler need, immutable.
 *
 * @param sequenceBudget KV cells one sequence may use: its fair share of the context, so that a
 *                       full set of concurrent sequences can never run the cache out
 * @param mode           {@link SpeculationMode#OFF} when nothing drafts (the compiler reduces such
 *                       pipelines to target-only)
 * @param drafters       in order of preference; empty when mode is OFF
 * @param k              most tokens drafted per round; 0 when mode is OFF
 * @param policy         how each request picks its k per round (at most {@code k})
 * @param verifyRows     rows one sequence contributes to a verify batch (k + 1)
 * @param passes         what each compiler pass did, for the plan dump
 * @param embeddings     whether the pipeline serves /v1/embeddings from its target
 */
public record ExecutionPlan(String id, String description, ModelRef target, int contextLength, int sequences,
                            int threads, int gpuLayers, int sequenceBudget, RequestDefaults defaults, String source,
                            SpeculationMode mode, List<DraftPlan> drafters, int k, CascadeSpec cascade,
                            PolicySpec policy, int verifyRows, List<String> passes, boolean embeddings) {

    public ExecutionPlan {
        drafters = List.copyOf(drafters);
        passes = List.copyOf(passes);
    }

    /** A plan without embeddings. */
    public ExecutionPlan(String id, String description, ModelRef target, int contextLength, int sequences,
                         int threads, int gpuLayers, int sequenceBudget, RequestDefaults defaults, String source,
                         SpeculationMode mode, List<DraftPlan> drafters, int k, CascadeSpec cascade,
                         PolicySpec policy, int verifyRows, List<String> passes) {
        this(id, description, target, contextLength, sequences, threads, gpuLayers, sequenceBudget, defaults, source,
                mode, drafters, k, cascade, policy, verifyRows, passes, false);
    }

    /** A target-only plan (benchmarks, tests). */
    public static ExecutionPlan targetOnly(String id, ModelRef target, int contextLength, int sequences, int threads) {
        return new ExecutionPlan(id, "target-only", target, contextLength, sequences, threads, 0,
                contextLength / sequences, RequestDefaults.OPENAI, id, SpeculationMode.OFF, List.of(), 0,
                CascadeSpec.DEFAULT, PolicySpec.DEFAULT, 1, List.of());
    }

    public ExecutionPlan withThreads(int n) {
        return new ExecutionPlan(id, description, target, contextLength, sequences, n, gpuLayers, sequenceBudget,
                defaults, source, mode, drafters, k, cascade, policy, verifyRows, passes, embeddings);
    }

    /** A readable dump of the plan, like a compiler's IR listing. */
    public String dump() {
        StringBuilder out = new StringBuilder();
        out.append("plan ").append(id).append("  (from ").append(source).append(")\n");
        out.append("  target      ").append(target.describe()).append('\n');
        out.append("  context     ").append(contextLength).append(" cells, ").append(sequences)
                .append(" sequences, ").append(sequenceBudget).append(" cells per sequence\n");
        out.append("  threads     ").append(threads == 0 ? "one per core" : Integer.toString(threads)).append('\n');
        out.append("  gpu layers  ").append(gpuLayers).append('\n');
        if (embeddings) out.append("  embeddings  on (/v1/embeddings)\n");
        out.append("  mode        ").append(mode.wireName());
        if (mode == SpeculationMode.CASCADE) {
            out.append(" (").append(cascade.confidence().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" >= ").append(cascade.tau()).append(", rollback ").append(cascade.rollback())
                    .append(", at most ").append(cascade.maxUnverified()).append(" unverified)");
        }
        out.append('\n');
        for (DraftPlan d : drafters) out.append("  drafter     ").append(d.describe()).append('\n');
        if (mode != SpeculationMode.OFF) {
            out.append("  k           ").append(k).append(" (verify batch: ").append(verifyRows)
                    .append(" rows per sequence)\n");
            out.append("  policy      ").append(policy.policy().wireName());
            if (policy.policy() != SpeculationPolicy.STATIC) {
                out.append(" (k <= ").append(k).append(", early stop ")
                        .append(policy.stopConfidence() > 0 ? "on" : "off").append(" by ")
                        .append(DrafterParser.wireName(policy.confidence()));
                if (policy.policy() == SpeculationPolicy.HEURISTIC) out.append(" < ").append(policy.stopConfidence());
                if (policy.policy() == SpeculationPolicy.ADAPTIVE) {
                    out.append(", re-probe every ").append(policy.reprobeEvery()).append(" rounds when off");
                }
                out.append(')');
            }
            out.append('\n');
        }
        out.append("  defaults    max_tokens=").append(defaults.maxTokens()).append(" temperature=")
                .append(defaults.temperature()).append(" top_p=").append(defaults.topP()).append('\n');
        for (String p : passes) out.append("  pass        ").append(p).append('\n');
        return out.toString();
    }
}
