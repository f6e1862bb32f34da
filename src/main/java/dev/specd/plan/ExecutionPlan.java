package dev.specd.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A compiled pipeline: a <em>preset</em> (drafters, speculation, request defaults) over the engine
 * of its target model. Everything about the engine — the target, its context, sequences, threads —
 * is {@link #target()}, shared by every preset that names the same target; everything else belongs
 * to this preset alone. Immutable.
 *
 * @param drafters    in order of preference; empty when speculation is off
 * @param speculation the preset's speculation (mode OFF when nothing drafts: the compiler reduces
 *                    such pipelines to target-only)
 * @param passes      what each compiler pass did, for the plan dump
 */
public record ExecutionPlan(String id, String description, TargetSpec target, RequestDefaults defaults,
                            String source, List<DraftPlan> drafters, SpeculationSpec speculation,
                            List<String> passes) {

    public ExecutionPlan {
        drafters = List.copyOf(drafters);
        passes = List.copyOf(passes);
    }

    /** A target-only plan (benchmarks, tests). */
    public static ExecutionPlan targetOnly(String id, ModelRef target, int contextLength, int sequences, int threads) {
        return new ExecutionPlan(id, "target-only", new TargetSpec(target, contextLength, sequences, threads, 0),
                RequestDefaults.OPENAI, id, List.of(), SpeculationSpec.OFF, List.of());
    }

    /** KV cells one sequence may use: its fair share of the context, so that a full set of sequences fits. */
    public int sequenceBudget() {
        return target.contextLength() / target.sequences();
    }

    /** Rows one sequence contributes to a verify batch: k + 1, or 1 for target-only. */
    public int verifyRows() {
        return speculation.speculates() ? speculation.k() + 1 : 1;
    }

    public ExecutionPlan withThreads(int n) {
        return new ExecutionPlan(id, description, target.withThreads(n), defaults, source, drafters, speculation, passes);
    }

    public ExecutionPlan withSpeculation(SpeculationSpec s) {
        return new ExecutionPlan(id, description, target, defaults, source, drafters, s, passes);
    }

    /** The key of the first draft model (whose costs this preset's rounds pay), or null without one. */
    public String draftModelKey() {
        return drafters.stream().filter(d -> d instanceof DraftPlan.Model).map(d -> ((DraftPlan.Model) d).model().key())
                .findFirst().orElse(null);
    }

    /** Whether the engine serves /v1/embeddings for this preset's {@code model} name. */
    public boolean embeddings() {
        return target.embeddings();
    }

    public boolean hasModelDrafter() {
        return drafters.stream().anyMatch(d -> d instanceof DraftPlan.Model);
    }

    /**
     * This preset's speculation with one request's overrides applied: every field checked first (a
     * bad value is an error even when the mode makes it moot), then combined.
     *
     * @param seeded the request has a seed. Its answer must then be the same every time, but which
     *               random numbers sampling uses depends on the draft lengths, and the adaptive policy
     *               chooses those from measured timings. So a seeded request that names no policy
     *               drafts the preset's fixed k instead (static), and one that names no drafter selection
     *               takes the first drafter that proposes.
     * @throws OverrideException naming the request field that cannot apply
     */
    public SpeculationSpec withOverride(SpeculationOverride o, boolean seeded) {
        SpeculationOverride req = o == null ? SpeculationOverride.NONE : o;
        if (req.k() != null && (req.k() < 1 || req.k() > SpeculationSpec.MAX_K)) {
            throw new OverrideException("speculation.k", "speculation.k must be in 1.." + SpeculationSpec.MAX_K
                    + ", got " + req.k());
        }
        if (req.tau() != null && !(req.tau() >= 0 && req.tau() <= 1)) {
            throw new OverrideException("speculation.tau", "speculation.tau must be in [0, 1], got " + req.tau());
        }
        PolicySpec policy = speculation.policy();
        if (req.policy() != null) {
            policy = policy.withPolicy(SpeculationPolicy.fromWire(req.policy()).orElseThrow(() -> new OverrideException(
                    "speculation.policy", "speculation.policy must be one of " + SpeculationPolicy.wireNames()
                    + ", got '" + req.policy() + "'")));
        } else if (seeded && policy.policy() == SpeculationPolicy.ADAPTIVE) {
            policy = policy.withPolicy(SpeculationPolicy.STATIC);
        }
        SpeculationMode mode = req.mode() == null ? speculation.mode() : parseMode(req.mode());
        if (mode == SpeculationMode.OFF) return SpeculationSpec.OFF;
        if (drafters.isEmpty()) {
            throw new OverrideException("speculation.mode", "pipeline " + id + " has no drafter, so it can only run "
                    + "with speculation off");
        }
        if (mode == SpeculationMode.CASCADE && !hasModelDrafter()) {
            throw new OverrideException("speculation.mode", "cascade needs a draft model; pipeline " + id + " has none");
        }
        int k = req.k() != null ? req.k() : Math.max(1, speculation.k() > 0 ? speculation.k() : SpeculationSpec.DEFAULT_K);
        DraftSelection selection = req.drafterSelection() == null ? speculation.selection()
                : DraftSelection.fromWire(req.drafterSelection()).orElseThrow(() -> new OverrideException(
                "speculation.drafter_selection", "speculation.drafter_selection must be first or adaptive, got '"
                + req.drafterSelection() + "'"));
        // Selection weighs drafters by measured timings, as the adaptive policy does: same remedy.
        if (seeded && req.drafterSelection() == null && selection == DraftSelection.ADAPTIVE) {
            selection = DraftSelection.FIRST;
        }
        return new SpeculationSpec(mode, k, cascade(req, mode), policy, selection);
    }

    /** The preset's cascade with the request's rule, alpha and tau; each must fit the resulting rule. */
    private CascadeSpec cascade(SpeculationOverride req, SpeculationMode mode) {
        CascadeSpec cascade = speculation.cascade();
        if ((req.rule() != null || req.alpha() != null) && mode != SpeculationMode.CASCADE) {
            String field = req.rule() != null ? "speculation.rule" : "speculation.alpha";
            throw new OverrideException(field, field + " only applies to mode cascade, got mode " + mode.wireName());
        }
        CascadeSpec.Rule rule = cascade.rule();
        if (req.rule() != null) {
            rule = Arrays.stream(CascadeSpec.Rule.values()).filter(r -> r.wireName().equals(req.rule())).findFirst()
                    .orElseThrow(() -> new OverrideException("speculation.rule", "speculation.rule must be one of "
                            + Arrays.stream(CascadeSpec.Rule.values()).map(CascadeSpec.Rule::wireName).toList()
                            + ", got '" + req.rule() + "'"));
        }
        double alpha = rule == cascade.rule() ? cascade.alpha() : rule.defaultAlpha();
        if (req.alpha() != null) {
            if (!rule.speculative()) {
                throw new OverrideException("speculation.alpha", "speculation.alpha is the parameter of rules chow, "
                        + "diff and opt; the rule is bild");
            }
            if (!(req.alpha() >= rule.minAlpha() && req.alpha() <= rule.maxAlpha())) {
                throw new OverrideException("speculation.alpha", "speculation.alpha must be in [" + rule.minAlpha()
                        + ", " + rule.maxAlpha() + "] for rule " + rule.wireName() + ", got " + req.alpha());
            }
            alpha = req.alpha();
        }
        if (req.tau() != null && mode == SpeculationMode.CASCADE && rule.speculative()) {
            throw new OverrideException("speculation.tau", "speculation.tau is BiLD's threshold; rule "
                    + rule.wireName() + " takes speculation.alpha");
        }
        if (req.tau() != null) cascade = cascade.withTau(req.tau());
        return cascade.withRule(rule, rule.speculative() ? alpha : 0.0);
    }

    private static SpeculationMode parseMode(String mode) {
        return SpeculationMode.fromWire(mode).orElseThrow(() -> new OverrideException("speculation.mode",
                "speculation.mode must be one of " + Arrays.stream(SpeculationMode.values())
                        .map(SpeculationMode::wireName).toList() + ", got '" + mode + "'"));
    }

    /** A readable dump of the plan, like a compiler's IR listing. */
    public String dump() {
        StringBuilder out = new StringBuilder();
        out.append("plan ").append(id).append("  (from ").append(source).append(")\n");
        out.append("  engine      ").append(target.model().describe()).append('\n');
        out.append("  context     ").append(target.contextLength()).append(" cells, ").append(target.sequences())
                .append(" sequences, ").append(sequenceBudget()).append(" cells per sequence\n");
        out.append("  threads     ").append(target.threads() == 0 ? "one per core" : Integer.toString(target.threads()))
                .append('\n');
        out.append("  gpu layers  ").append(target.gpuLayers()).append('\n');
        if (target.embeddings()) out.append("  embeddings  on (/v1/embeddings)\n");
        SpeculationSpec s = speculation;
        out.append("  mode        ").append(s.mode().wireName());
        if (s.mode() == SpeculationMode.CASCADE && s.cascade().rule().speculative()) {
            out.append(" (speculative, rule ").append(s.cascade().rule().wireName()).append(" alpha ")
                    .append(s.cascade().alpha()).append(')');
        } else if (s.mode() == SpeculationMode.CASCADE) {
            CascadeSpec c = s.cascade();
            out.append(" (").append(c.confidence().name().toLowerCase(Locale.ROOT)).append(" >= ").append(c.tau())
                    .append(", rollback ").append(c.rollback()).append(", at most ").append(c.maxUnverified())
                    .append(" unverified)");
        }
        out.append('\n');
        for (DraftPlan d : drafters) out.append("  drafter     ").append(d.describe()).append('\n');
        if (s.speculates()) {
            out.append("  k           ").append(s.k()).append(" (verify batch: ").append(verifyRows())
                    .append(" rows per sequence)\n");
            out.append("  policy      ").append(describe(s.policy(), s.k())).append('\n');
            out.append("  selection   ").append(s.selection().wireName()).append('\n');
        }
        out.append("  defaults    max_tokens=").append(defaults.maxTokens()).append(" temperature=")
                .append(defaults.temperature()).append(" top_p=").append(defaults.topP()).append('\n');
        for (String p : passes) out.append("  pass        ").append(p).append('\n');
        return out.toString();
    }

    private static String describe(PolicySpec p, int k) {
        StringBuilder out = new StringBuilder(p.policy().wireName());
        if (p.policy() == SpeculationPolicy.STATIC) return out.toString();
        out.append(" (k <= ").append(k).append(", early stop ").append(p.stopConfidence() > 0 ? "on" : "off")
                .append(" by ").append(DrafterParser.wireName(p.confidence()));
        if (p.policy() == SpeculationPolicy.HEURISTIC) out.append(" < ").append(p.stopConfidence());
        if (p.policy() == SpeculationPolicy.ADAPTIVE) {
            out.append(", re-probe every ").append(p.reprobeEvery()).append(" rounds when off");
        }
        return out.append(')').toString();
    }
}
