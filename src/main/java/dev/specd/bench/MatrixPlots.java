package dev.specd.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The matrix's plots: per workload, Pareto fronts of speed and energy against quality; overall, speed-ups. */
final class MatrixPlots {

    private MatrixPlots() {
    }

    /** {@code matrix-<workload>-pareto} (tok/s vs target NLL) and {@code matrix-<workload>-energy} (J/token vs NLL). */
    static void workload(Path out, String workload, List<MatrixAnalysis.Point> points) throws IOException {
        Map<String, List<double[]>> speed = new LinkedHashMap<>();
        Map<String, List<double[]>> energy = new LinkedHashMap<>();
        for (MatrixAnalysis.Point p : points) {
            speed.computeIfAbsent(p.family(), f -> new ArrayList<>()).add(new double[] {p.meanNll(), p.tokensPerSecond()});
            if (p.joulesPerToken() != null) {
                energy.computeIfAbsent(p.family(), f -> new ArrayList<>()).add(new double[] {p.meanNll(), p.joulesPerToken()});
            }
        }
        Charts.scatter(out.resolve("matrix-" + workload + "-pareto.png"), workload
                        + ": speed against quality (up and left is better)", "target NLL per token", "tokens/s", speed);
        if (!energy.isEmpty()) {
            Charts.scatter(out.resolve("matrix-" + workload + "-energy.png"), workload
                    + ": energy against quality (down and left is better)", "target NLL per token", "J/token", energy);
        }
    }

    /** {@code matrix-speedup}: every configuration's speed-up over target-only, one bar per workload. */
    static void speedups(Path out, List<MatrixAnalysis.Point> points) throws IOException {
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        for (MatrixAnalysis.Point p : points) {
            series.computeIfAbsent(p.workload(), w -> new LinkedHashMap<>()).put(p.config(), p.speedup());
        }
        Charts.bars(out.resolve("matrix-speedup.png"), "Speed-up over specd target-only, per workload",
                "speed-up", series);
    }
}
