package dev.specd.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.specd.runtime.adaptive.SpeedupModel;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A workload's runs as points — speed, energy and quality per configuration — and its summary:
 * the analytical optimum against what the static and adaptive configurations measured, the best
 * lossless configuration against llama.cpp's best speculative one, and the cascade's quality knob.
 */
final class MatrixAnalysis {

    /**
     * One configuration on one workload.
     *
     * @param speedup             tokens/s ÷ specd target-only's (both wall time per request, prefill included)
     * @param decodeSpeedup       the same after the first token (prefill excluded): what the analytical
     *                            model predicts
     * @param nllIncrease         mean target NLL ÷ target-only's − 1
     * @param greedyAgreement     share of tokens equal to the target's argmax given the text before them
     * @param prefixAgreement     share of target-only's tokens inside the common prefix with its output
     * @param tokenAgreement      share of positions where the output equals target-only's
     * @param unverifiedFraction  share of emitted tokens the target never checked (cascades)
     * @param ksP                 sampled workloads: two-sample Kolmogorov–Smirnov p-value of the per-token
     *                            target NLLs against target-only's (a small p: another distribution); null when greedy
     * @param predictedSpeedup    the analytical model's prediction (static k and target-only), else null
     */
    record Point(String workload, String config, String family, boolean lossless, int tokens, double seconds,
                 @JsonProperty("tokens_per_second") double tokensPerSecond, double speedup,
                 @JsonProperty("decode_speedup") double decodeSpeedup,
                 @JsonProperty("joules_per_token") Double joulesPerToken, @JsonProperty("mean_nll") double meanNll,
                 @JsonProperty("nll_increase") double nllIncrease, @JsonProperty("greedy_agreement") double greedyAgreement,
                 @JsonProperty("prefix_agreement") double prefixAgreement, @JsonProperty("token_agreement") double tokenAgreement,
                 @JsonProperty("unverified_fraction") double unverifiedFraction, Double acceptance,
                 @JsonProperty("mean_k") Double meanK, @JsonProperty("ks_p") Double ksP,
                 @JsonProperty("predicted_speedup") Double predictedSpeedup,
                 @JsonProperty("measured_over_predicted") Double measuredOverPredicted) {
    }

    /** The analytical optimum of a workload. */
    record Optimum(double[] alphas, @JsonProperty("verify_ms") double[] verifyMs, @JsonProperty("draft_ms") double draftMs,
                   @JsonProperty("overhead_ms") double overheadMs, @JsonProperty("cost_ratio") double costRatio,
                   @JsonProperty("best_k") int bestK, @JsonProperty("predicted_speedup") double predictedSpeedup,
                   @JsonProperty("predicted_by_k") double[] predictedByK) {
        static Optimum of(SpeedupModel m) {
            double[] verify = m.verifyNanos();
            double[] ms = new double[verify.length - 1];
            for (int t = 1; t < verify.length; t++) ms[t - 1] = verify[t] / 1e6;
            double[] byK = m.points().stream().mapToDouble(SpeedupModel.Point::speedup).toArray();
            return new Optimum(m.alphas(), ms, m.draftNanos() / 1e6, m.overheadNanos() / 1e6, m.costRatio(),
                    m.best().k(), m.best().speedup(), byK);
        }
    }

    /** A workload's headline comparisons (null where a configuration was not run). */
    record Summary(String workload, String description, Optimum optimum,
                   @JsonProperty("best_lossless") String bestLossless,
                   @JsonProperty("best_lossless_speedup") Double bestLosslessSpeedup,
                   @JsonProperty("best_llamacpp") String bestLlamaCpp,
                   @JsonProperty("best_llamacpp_speedup") Double bestLlamaCppSpeedup,
                   @JsonProperty("llamacpp_own_speedup") Double llamaCppOwnSpeedup,
                   @JsonProperty("specd_over_llamacpp") Double specdOverLlamaCpp,
                   @JsonProperty("best_static") String bestStatic,
                   @JsonProperty("adaptive_over_optimum") Double adaptiveOverOptimum,
                   @JsonProperty("adaptive_over_best_static") Double adaptiveOverBestStatic,
                   @JsonProperty("static_within_15pct") Boolean staticWithin15Pct,
                   @JsonProperty("best_cascade_within_2pct_nll") String bestCascade,
                   @JsonProperty("best_cascade_speedup") Double bestCascadeSpeedup,
                   @JsonProperty("cascade_beats_best_lossless") Boolean cascadeBeatsLossless) {
    }

    private MatrixAnalysis() {
    }

    static List<Point> points(MatrixBench.Result r) {
        List<MatrixBench.Run> base = of(r.runs(), "target-only");
        double baseRate = rate(base);
        double baseDecode = decodeRate(base);
        double baseNll = score(base).meanNll();
        double[] baseEach = score(base).tokenNll();
        boolean sampled = r.workload().temperature() > 0;
        List<Point> out = new ArrayList<>();
        for (MatrixConfig c : r.runs().stream().map(MatrixBench.Run::config).distinct().toList()) {
            List<MatrixBench.Run> rs = of(r.runs(), c.name());
            int tokens = rs.stream().mapToInt(MatrixBench.Run::tokens).sum();
            double seconds = rs.stream().mapToDouble(MatrixBench.Run::seconds).sum();
            double joules = rs.stream().mapToDouble(MatrixBench.Run::joules).sum();
            TargetScore s = score(rs);
            int drafted = 0, accepted = 0, rounds = 0, unverified = 0;
            boolean summarised = false;
            for (MatrixBench.Run x : rs) {
                if (x.summary() == null) continue;
                summarised = true;
                drafted += x.summary().drafted();
                accepted += x.summary().accepted();
                rounds += x.summary().rounds();
                unverified += x.summary().unverifiedTokens();
            }
            boolean speculates = summarised && drafted > 0;
            Double predicted = predicted(r.optimum(), c);
            double speedup = tokens / seconds / baseRate;
            double decodeSpeedup = decodeRate(rs) / baseDecode;
            double ks = Double.NaN;
            if (sampled && s.tokenNll().length > 1 && baseEach.length > 1) {
                ks = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(s.tokenNll(), baseEach);
            }
            out.add(new Point(r.workload().name(), c.name(), c.family(), c.lossless(), tokens, seconds, tokens / seconds,
                    speedup, decodeSpeedup, Double.isNaN(joules) || tokens == 0 ? null : joules / tokens, s.meanNll(),
                    s.meanNll() / baseNll - 1, s.agreement(), agreement(r, base, rs, true), agreement(r, base, rs, false),
                    tokens == 0 ? 0 : unverified / (double) tokens, speculates ? accepted / (double) drafted : null,
                    speculates ? drafted / (double) rounds : null, Double.isNaN(ks) ? null : ks, predicted,
                    predicted == null ? null : decodeSpeedup / predicted));
        }
        return out;
    }

    /** The model predicts target-only (k = 0) and every static lossless k it covers. */
    private static Double predicted(SpeedupModel m, MatrixConfig c) {
        if (m == null || !(c instanceof MatrixConfig.Specd s)) return null;
        if (s.family().equals("target-only")) return 1.0;
        if (!s.family().equals("lossless") || s.settings().k() > m.maxK()) return null;
        return m.point(s.settings().k()).speedup();
    }

    static Summary summary(MatrixBench.Result r, List<Point> points) {
        Optional<Point> bestLossless = best(points, p -> p.lossless() && p.family().matches("lossless|heuristic|adaptive|lookup"));
        Optional<Point> bestPeer = best(points, p -> p.family().equals("llama.cpp-spec"));
        Optional<Point> peerBase = points.stream().filter(p -> p.family().equals("llama.cpp")).findFirst();
        Optional<Point> bestStatic = best(points, p -> p.family().equals("lossless"));
        Optional<Point> adaptive = points.stream().filter(p -> p.family().equals("adaptive")).findFirst();
        Optional<Point> baseline = points.stream().filter(p -> p.family().equals("target-only")).findFirst();
        double baseNll = baseline.map(Point::meanNll).orElse(Double.NaN);
        Optional<Point> cascade = best(points, p -> p.family().equals("cascade") && p.meanNll() <= baseNll * 1.02);
        Optimum optimum = r.optimum() == null ? null : Optimum.of(r.optimum());
        Boolean within = points.stream().noneMatch(p -> p.measuredOverPredicted() != null) ? null
                : points.stream().filter(p -> p.measuredOverPredicted() != null)
                .allMatch(p -> Math.abs(p.measuredOverPredicted() - 1) <= 0.15);
        return new Summary(r.workload().name(), r.workload().description(), optimum,
                bestLossless.map(Point::config).orElse(null), bestLossless.map(Point::speedup).orElse(null),
                bestPeer.map(Point::config).orElse(null), bestPeer.map(Point::speedup).orElse(null),
                bestPeer.isPresent() && peerBase.isPresent() ? bestPeer.get().tokensPerSecond() / peerBase.get().tokensPerSecond() : null,
                bestLossless.isPresent() && bestPeer.isPresent()
                        ? bestLossless.get().tokensPerSecond() / bestPeer.get().tokensPerSecond() : null,
                bestStatic.map(Point::config).orElse(null),
                adaptive.isPresent() && optimum != null ? adaptive.get().decodeSpeedup() / optimum.predictedSpeedup() : null,
                adaptive.isPresent() && bestStatic.isPresent()
                        ? adaptive.get().speedup() / Math.max(1, bestStatic.get().speedup()) : null,
                within, cascade.map(Point::config).orElse(null), cascade.map(Point::speedup).orElse(null),
                cascade.isPresent() && bestLossless.isPresent() ? cascade.get().speedup() >= bestLossless.get().speedup() : null);
    }

    private static Optional<Point> best(List<Point> points, java.util.function.Predicate<Point> filter) {
        return points.stream().filter(filter).max(Comparator.comparingDouble(Point::speedup));
    }

    private static List<MatrixBench.Run> of(List<MatrixBench.Run> runs, String config) {
        return runs.stream().filter(x -> x.config().name().equals(config)).toList();
    }

    private static double rate(List<MatrixBench.Run> runs) {
        return runs.stream().mapToInt(MatrixBench.Run::tokens).sum() / runs.stream().mapToDouble(MatrixBench.Run::seconds).sum();
    }

    /** Tokens per second after each request's first event (its tokens excluded). */
    private static double decodeRate(List<MatrixBench.Run> runs) {
        int tokens = runs.stream().mapToInt(r -> Math.max(0, r.tokens() - r.firstTokens())).sum();
        return tokens / runs.stream().mapToDouble(r -> r.seconds() - r.firstSeconds()).sum();
    }

    private static TargetScore score(List<MatrixBench.Run> runs) {
        return runs.stream().map(MatrixBench.Run::score).reduce(TargetScore.ZERO, TargetScore::plus);
    }

    /**
     * Agreement with target-only's output of the same prompt and repetition: the common prefix's
     * share of its tokens ({@code prefix}), or the share of positions that match.
     */
    private static double agreement(MatrixBench.Result r, List<MatrixBench.Run> base, List<MatrixBench.Run> runs, boolean prefix) {
        long same = 0, total = 0;
        for (int j = 0; j < runs.size() && j < base.size(); j++) {
            int[] a = base.get(j).output();
            int[] b = runs.get(j).output();
            int n = 0;
            if (prefix) {
                while (n < a.length && n < b.length && a[n] == b[n]) n++;
            } else {
                for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] == b[i]) n++;
            }
            same += n;
            total += a.length;
        }
        return total == 0 ? 1 : same / (double) total;
    }
}
