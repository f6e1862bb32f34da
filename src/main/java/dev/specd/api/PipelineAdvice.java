package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.adaptive.RequestClass;
import dev.specd.runtime.adaptive.SpeedupModel;
import dev.specd.sched.Pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/pipelines/{id}/advice}: what the closed form of {@link SpeedupModel} predicts for
 * a running preset from its live profile — α by draft position per request class, the engine's
 * measured costs — for every static k from 0 to max(the preset's k, 8), and the k it recommends.
 * No prediction (a target-only preset, an engine never calibrated) is an answer with a reason,
 * not an error.
 *
 * @param advice null when there is nothing to predict from; {@code reason} says why
 */
public record PipelineAdvice(String pipeline, String mode, int k, @JsonProperty("rounds_observed") long roundsObserved,
                             Advice advice, String reason) {

    /** Draft lengths up to this are always predicted, so that a preset's own k can be weighed against longer ones. */
    static final int MIN_MAX_K = 8;

    /**
     * @param costs          the cost figures the predictions used
     * @param watts          the mean power charged to the preset's requests; null without an energy meter
     * @param classes        one prediction per request class
     * @param recommendation for the preset's own mode, greedy band: {@code {"mode": "off"}} or lossless with k and policy
     */
    public record Advice(Costs costs, Double watts, @JsonProperty("energy_source") String energySource,
                         List<ClassAdvice> classes, Map<String, Object> recommendation) {
        public Advice {
            classes = List.copyOf(classes);
        }
    }

    public record Costs(@JsonProperty("verify_ms_by_rows") Map<String, Double> verifyMsByRows,
                        @JsonProperty("draft_ms_per_step") double draftMsPerStep,
                        @JsonProperty("overhead_ms") double overheadMs,
                        @JsonProperty("cost_ratio") double costRatio) {
    }

    /** @param rounds decayed rounds of evidence behind α_0 (0: the prior alone) */
    public record ClassAdvice(@JsonProperty("class") String requestClass, double rounds, List<Double> alphas,
                              List<Point> points, @JsonProperty("recommended_k") int recommendedK,
                              @JsonProperty("predicted_speedup") double predictedSpeedup,
                              Map<String, Object> recommendation) {
        public ClassAdvice {
            alphas = List.copyOf(alphas);
            points = List.copyOf(points);
        }
    }

    /** @param joulesPerToken the preset's measured power × predicted seconds per token; null without a meter */
    public record Point(int k, @JsonProperty("expected_tokens") double expectedTokens,
                        @JsonProperty("tokens_per_second") double tokensPerSecond, double speedup,
                        @JsonProperty("joules_per_token") Double joulesPerToken) {
    }

    /**
     * @param watts        the preset's measured power, or null when nothing metered it
     * @param energySource the meter's name, or {@code none}
     */
    static PipelineAdvice of(Pipeline pipeline, Double watts, String energySource) {
        ExecutionPlan plan = pipeline.plan();
        PipelineProfile profile = pipeline.profile();
        SpeculationMode mode = plan.speculation().mode();
        String id = plan.id();
        long rounds = profile.rounds();
        if (mode == SpeculationMode.OFF || plan.drafters().isEmpty()) {
            return new PipelineAdvice(id, mode.wireName(), plan.speculation().k(), rounds, null,
                    "target-only preset: nothing drafts, so there is no draft length to predict");
        }
        int maxK = Math.max(plan.speculation().k(), MIN_MAX_K);
        if (!profile.calibrated()) {
            return new PipelineAdvice(id, mode.wireName(), plan.speculation().k(), rounds, null,
                    "the engine's costs are not measured yet (no calibration and no decodes): nothing to predict from");
        }
        Set<RequestClass> classes = new LinkedHashSet<>();
        // The preset's own mode in both bands first, then whatever else its requests ran in.
        classes.add(new RequestClass(mode, "greedy"));
        classes.add(new RequestClass(mode, "sampled"));
        var snapshot = profile.snapshot();
        snapshot.classes().keySet().forEach(k -> RequestClass.parse(k).ifPresent(classes::add));
        List<ClassAdvice> out = new ArrayList<>();
        SpeedupModel first = null;
        for (RequestClass cls : classes) {
            SpeedupModel m = SpeedupModel.of(profile, cls, maxK);
            if (first == null) first = m;
            var counts = snapshot.classes().get(cls.key());
            double evidence = counts == null || counts.reached().length == 0 ? 0 : counts.reached()[0];
            out.add(classAdvice(cls, m, evidence, watts));
        }
        double[] verify = first.verifyNanos();
        Map<String, Double> verifyMs = new LinkedHashMap<>();
        for (int t = 1; t < verify.length; t++) verifyMs.put(Integer.toString(t), verify[t] / 1e6);
        Costs costs = new Costs(verifyMs, first.draftNanos() / 1e6, first.overheadNanos() / 1e6, first.costRatio());
        return new PipelineAdvice(id, mode.wireName(), plan.speculation().k(), rounds,
                new Advice(costs, watts, energySource, out, out.getFirst().recommendation()), null);
    }

    private static ClassAdvice classAdvice(RequestClass cls, SpeedupModel m, double evidence, Double watts) {
        List<Double> alphas = new ArrayList<>();
        for (double a : m.alphas()) alphas.add(a);
        List<Point> points = new ArrayList<>();
        for (SpeedupModel.Point p : m.points()) {
            Double j = watts == null ? null : watts * p.roundNanos() / 1e9 / p.expectedTokens();
            points.add(new Point(p.k(), p.expectedTokens(), p.tokensPerSecond(), p.speedup(), j));
        }
        SpeedupModel.Point best = m.best();
        Map<String, Object> rec = new LinkedHashMap<>();
        if (best.k() == 0) {
            rec.put("mode", "off");
        } else {
            rec.put("mode", "lossless");
            rec.put("k", best.k());
            rec.put("policy", "static");
        }
        return new ClassAdvice(cls.key(), evidence, alphas, points, best.k(), best.speedup(), rec);
    }
}
