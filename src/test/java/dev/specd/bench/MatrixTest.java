package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The matrix's workloads, its arithmetic, and one small run end to end (specd and llama.cpp on stories260K). */
class MatrixTest {

    @TempDir
    Path dir;

    @Test
    void theWorkloadFilesHoldTheSixWorkloadsWithTheirSampling() {
        Map<String, Workload> ws = Workload.loadAll(Path.of("config/workloads")).stream()
                .collect(Collectors.toMap(Workload::name, Function.identity()));
        assertTrue(ws.keySet().containsAll(List.of("story-greedy", "story-sampled", "edit", "adversarial", "long-prompt",
                "repetitive")), ws.keySet().toString());
        assertEquals(0.8, ws.get("story-sampled").temperature());
        assertEquals(0.95, ws.get("story-sampled").topP());
        assertEquals(0.95, ws.get("story-sampled").sampling(0).topP());
        assertEquals(1.5, ws.get("adversarial").temperature());
        assertEquals(0.12, ws.get("adversarial").targetEpsilon().orElseThrow());
        assertEquals(24, ws.get("repetitive").prompts().size());
        assertTrue(ws.get("story-greedy").sampling(3).isGreedy());
        try (LlamaBackend stories = LlamaBackend.load(TestModels.stories260K(), LoadOptions.DEFAULT)) {
            for (String p : ws.get("long-prompt").prompts()) {
                int tokens = stories.vocab().tokenize(p, true, false).length;
                assertTrue(tokens >= 1000, "a long prompt of only " + tokens + " tokens");
            }
        }
    }

    @Test
    void aMisspeltKeyIsAnErrorNotADefault() throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "prompts: [a]\ntemprature: 0.5\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Workload.load(f));
        assertTrue(e.getMessage().contains("temprature"), e.getMessage());
    }

    @Test
    void missingCalibratedSizesAreInterpolated() {
        double[] curve = {0, 10, 12, 0, 16, 0};
        assertEquals(14, MeasuredModel.interpolate(curve, 3), 1e-9);
        assertEquals(12, MeasuredModel.interpolate(curve, 2), 1e-9);
        assertEquals(0, MeasuredModel.interpolate(curve, 5), 1e-9); // nothing measured above it
    }

    @Test
    void theRecordedCommandLeavesOutItsOutputDirectory() {
        assertEquals("specd bench matrix --quick '--configs' 'lossless k=4'".replace("'--configs'", "--configs"),
                MatrixCommand.command(List.of("--quick", "--out", "x", "--configs", "lossless k=4")));
        assertEquals("specd bench matrix", MatrixCommand.command(List.of("--out=y")));
        assertEquals("specd bench matrix --quick", MatrixCommand.command(List.of("bench", "matrix", "--quick")));
    }

    @Test
    void linksOfTheEarlierResultsAreRebasedIntoTheReport() {
        assertEquals("![a](results/x.png) [b](../loadtests/R.md#s) [c](https://x.org) [d](#top)",
                ReportCommand.rebase("![a](x.png) [b](../../loadtests/R.md#s) [c](https://x.org) [d](#top)", "results"));
    }

    /**
     * stories260K verifying itself, greedy: every lossless configuration and llama.cpp's own loop
     * must emit target-only's tokens; the report then states the goals from the JSON.
     */
    @Test
    void aSmallMatrixRunsEndToEndAndReports() throws Exception {
        String model = TestModels.stories260K().toString();
        Path out = dir.resolve("results");
        int code = BenchCommand.run("matrix", "--model", model, "--draft", model, "--workloads",
                "config/workloads/story-greedy.yaml", "--prompts", "1", "--max-tokens", "12", "--threads", "1", "--configs",
                "lossless k=4,adaptive,draft-only,bild tau=0.9 rollback=0.0,llama.cpp target-only,llama.cpp spec max=8",
                "--quick", "--out", out.toString());
        assertEquals(0, code);
        JsonNode m = new ObjectMapper().readTree(out.resolve("matrix.json").toFile());
        Map<String, JsonNode> points = new java.util.LinkedHashMap<>();
        m.get("points").forEach(p -> points.put(p.get("config").asText(), p));
        assertEquals(List.of("target-only", "draft-only", "lossless k=4", "adaptive k<=8", "bild tau=0.9 rollback=0.0",
                "llama.cpp target-only", "llama.cpp spec max=8 pmin=0.75"), List.copyOf(points.keySet()));
        assertEquals(1.0, points.get("target-only").get("speedup").asDouble(), 1e-9);
        for (String lossless : List.of("lossless k=4", "adaptive k<=8", "llama.cpp target-only", "llama.cpp spec max=8 pmin=0.75")) {
            assertEquals(1.0, points.get(lossless).get("prefix_agreement").asDouble(), 1e-9, lossless);
            assertEquals(points.get("target-only").get("mean_nll").asDouble(), points.get(lossless).get("mean_nll").asDouble(),
                    1e-3, lossless);
        }
        assertEquals(1.0, points.get("lossless k=4").get("acceptance").asDouble(), 1e-9, "a model drafting for itself");
        JsonNode summary = m.get("summaries").get(0);
        assertEquals("story-greedy", summary.get("workload").asText());
        // The model drafting for itself accepts everything; whether that pays depends on the timings
        // (a draft step costs a target step here), so the test checks the optimum's arithmetic only.
        JsonNode optimum = summary.get("optimum");
        optimum.get("alphas").forEach(a -> assertEquals(1.0, a.asDouble(), 1e-9, summary.toString()));
        JsonNode byK = optimum.get("predicted_by_k");
        assertEquals(1.0, byK.get(0).asDouble(), 1e-9);
        int argmax = 0;
        for (int k = 1; k < byK.size(); k++) if (byK.get(k).asDouble() > byK.get(argmax).asDouble()) argmax = k;
        assertEquals(argmax, optimum.get("best_k").asInt(), summary.toString());
        assertTrue(summary.get("specd_over_llamacpp").asDouble() > 0);
        for (String f : List.of("matrix.csv", "matrix-requests.csv", "matrix-speedup.png", "matrix-speedup.svg",
                "matrix-story-greedy-pareto.png", "matrix-story-greedy-energy.svg")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }

        Files.writeString(out.resolve("earlier.md"), "# Earlier\n\nkept as it is\n");
        Path report = dir.resolve("results.md");
        assertEquals(0, BenchCommand.run("report", "--results", out.toString(), "--out", report.toString()));
        String md = Files.readString(report);
        assertTrue(md.contains("### Goals"), md);
        assertTrue(md.contains("| lossless k=4 | "), md);
        assertTrue(md.contains("bench matrix --model"), md);
        assertTrue(md.endsWith("kept as it is\n"), md);
    }
}
