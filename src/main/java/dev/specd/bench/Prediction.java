package dev.specd.bench;

import dev.specd.runtime.adaptive.SpeedupModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the closed form predicts for one candidate drafter, from its profile run: acceptance by
 * position counted exactly, and the engine's measured costs.
 *
 * @param reached      rounds that reached each draft position (see {@link PositionTally})
 * @param accepted     of those, the ones that accepted it
 * @param watts        mean power during the profile run; NaN when no meter gave joules
 * @param energySource the meter's name ({@code rapl}, {@code nvml}, {@code model}) or {@code none}
 */
record Prediction(DraftCandidate candidate, SpeedupModel model, long rounds, long[] reached, long[] accepted,
                  double watts, String energySource) {

    Prediction {
        reached = reached.clone();
        accepted = accepted.clone();
    }

    SpeedupModel.Point best() {
        return model.best();
    }

    /**
     * Predicted joules per token at draft length k: the profile run's power × the predicted seconds
     * per token. Null without a meter: no figure is better than an invented one.
     */
    Double joulesPerToken(int k) {
        if (!Double.isFinite(watts)) return null;
        SpeedupModel.Point p = model.point(k);
        return watts * p.roundNanos() / 1e9 / p.expectedTokens();
    }

    /** Mean α over the positions counted: one number for plots. */
    double meanAlpha() {
        double[] a = model.alphas();
        double s = 0;
        for (double x : a) s += x;
        return a.length == 0 ? 0 : s / a.length;
    }

    /** Every figure of the prediction, snake_case, for advice.json and models.json (written by Jackson). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("draft", candidate.label());
        m.put("rounds", rounds);
        m.put("reached", reached.clone());
        m.put("accepted", accepted.clone());
        m.put("alphas", model.alphas());
        double[] verify = model.verifyNanos();
        Map<String, Double> verifyMs = new LinkedHashMap<>();
        for (int t = 1; t < verify.length; t++) verifyMs.put(Integer.toString(t), verify[t] / 1e6);
        m.put("verify_ms_by_rows", verifyMs);
        m.put("draft_ms_per_step", model.draftNanos() / 1e6);
        m.put("overhead_ms", model.overheadNanos() / 1e6);
        m.put("cost_ratio", model.costRatio());
        m.put("watts", Double.isFinite(watts) ? watts : null);
        m.put("energy_source", energySource);
        List<Map<String, Object>> points = new ArrayList<>();
        for (SpeedupModel.Point p : model.points()) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("k", p.k());
            q.put("expected_tokens", p.expectedTokens());
            q.put("round_ms", p.roundNanos() / 1e6);
            q.put("tokens_per_second", p.tokensPerSecond());
            q.put("speedup", p.speedup());
            q.put("joules_per_token", joulesPerToken(p.k()));
            points.add(q);
        }
        m.put("points", points);
        m.put("best_k", best().k());
        m.put("predicted_speedup", best().speedup());
        return m;
    }

    @Override
    public long[] reached() {
        return reached.clone();
    }

    @Override
    public long[] accepted() {
        return accepted.clone();
    }
}
