package dev.specd.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Time to first token and time per output token of every completed stream, per model, as a client
 * measures them: Gatling's report shows each check's response time, but TPOT is a ratio per stream
 * (the time after the first token over the tokens after it), which it cannot show.
 */
final class StreamTimings {

    private record Sample(double ttftMillis, double tpotMillis) {
    }

    private final Map<String, ConcurrentLinkedQueue<Sample>> byModel = new ConcurrentHashMap<>();

    void record(String model, long startNanos, long firstTokenNanos, long doneNanos, int tokens) {
        double ttft = (firstTokenNanos - startNanos) / 1e6;
        double tpot = (doneNanos - firstTokenNanos) / 1e6 / (tokens - 1);
        byModel.computeIfAbsent(model, m -> new ConcurrentLinkedQueue<>()).add(new Sample(ttft, tpot));
    }

    /** A table: streams, p50/p90/p99 of TTFT and TPOT per model; also written as CSV to {@code csv}. */
    String report(Path csv) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-18s %8s %10s %10s %10s %10s %10s %10s%n",
                "model", "streams", "TTFT p50", "TTFT p90", "TTFT p99", "TPOT p50", "TPOT p90", "TPOT p99"));
        StringBuilder rows = new StringBuilder("model,streams,ttft_p50_ms,ttft_p90_ms,ttft_p99_ms,tpot_p50_ms,tpot_p90_ms,tpot_p99_ms\n");
        Map<String, ConcurrentLinkedQueue<Sample>> sorted = new TreeMap<>(byModel);
        List<Sample> all = new ArrayList<>();
        sorted.values().forEach(all::addAll);
        sorted.put("(all)", new ConcurrentLinkedQueue<>(all));
        for (Map.Entry<String, ConcurrentLinkedQueue<Sample>> e : sorted.entrySet()) {
            double[] ttft = e.getValue().stream().mapToDouble(Sample::ttftMillis).sorted().toArray();
            double[] tpot = e.getValue().stream().mapToDouble(Sample::tpotMillis).sorted().toArray();
            if (ttft.length == 0) continue;
            double[] q = {pct(ttft, 50), pct(ttft, 90), pct(ttft, 99), pct(tpot, 50), pct(tpot, 90), pct(tpot, 99)};
            table.append(String.format(Locale.ROOT, "%-18s %8d %8.1fms %8.1fms %8.1fms %8.2fms %8.2fms %8.2fms%n",
                    e.getKey(), ttft.length, q[0], q[1], q[2], q[3], q[4], q[5]));
            rows.append(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f%n",
                    e.getKey(), ttft.length, q[0], q[1], q[2], q[3], q[4], q[5]));
        }
        try {
            Files.createDirectories(csv.getParent());
            Files.writeString(csv, rows);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return table.toString();
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
