package dev.specd.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipelines shipped in config/pipelines/ (embedded in the jar) parse and compile as intended. */
class ShippedPipelinesTest {

    static final Path DIR = Path.of("config/pipelines");

    static final ModelRef.File STORIES_260K = new ModelRef.File("stories260K.gguf",
            Optional.of("https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf"),
            Optional.of("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"));

    static final ModelRef FORGED_TARGET = new ModelRef.Forged("expand", STORIES_260K, Map.of("embd", "256",
            "ff", "768", "layers", "8", "epsilon", "0.02", "seed", "20260101", "type", "f32"));

    static PipelineSpec read(String name) throws IOException {
        Path file = DIR.resolve(name);
        return PipelineSpecParser.parse(Files.readString(file), file.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories.yaml", "stories-target.yaml", "stories-cascade.yaml", "stories-lookup.yaml",
            "stories-suffix.yaml", "stories-speccascade.yaml", "stories-select.yaml"})
    void everyDefaultPipelineSharesTheForgedTarget(String name) throws IOException {
        PipelineSpec spec = read(name);
        assertEquals(name.replace(".yaml", ""), spec.id());
        // One recipe ⇒ one forged file for all the pipelines.
        assertEquals(FORGED_TARGET, spec.target().model());
        assertEquals(4096, spec.target().contextLength());
        assertEquals(4, spec.target().sequences());
        assertEquals(new RequestDefaults(256, 1.0, 1.0), spec.defaults());
    }

    @Test
    void everyFileInTheDirectoryCompiles() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 4, "found " + files);
        for (Path f : files) {
            ExecutionPlan plan = PipelineCompiler.compile(PipelineSpecParser.parse(Files.readString(f), f.toString()));
            assertEquals(5, plan.passes().size(), f.toString());
        }
    }

    @Test
    void theDefaultSpeculatesWithTheSmallModelAndTheAdaptivePolicy() throws IOException {
        PipelineSpec spec = read("stories.yaml");
        assertEquals(List.of(new DrafterSpec.Model(STORIES_260K, 0)), spec.drafters());
        assertEquals(new SpeculationSpec(SpeculationMode.LOSSLESS, 8, CascadeSpec.DEFAULT, PolicySpec.DEFAULT),
                spec.speculation());
        ExecutionPlan plan = PipelineCompiler.compile(spec);
        assertEquals(SpeculationMode.LOSSLESS, plan.speculation().mode());
        assertEquals(SpeculationPolicy.ADAPTIVE, plan.speculation().policy().policy());
        assertEquals(List.of(new DraftPlan.Model(STORIES_260K, 4096)), plan.drafters());
        assertEquals(8, plan.speculation().k());
        assertEquals(9, plan.verifyRows());
        assertEquals(1024, plan.sequenceBudget());
    }

    @Test
    void targetOnlyStaysAvailable() throws IOException {
        PipelineSpec spec = read("stories-target.yaml");
        assertEquals(List.of(), spec.drafters());
        assertEquals(SpeculationMode.OFF, spec.speculation().mode());
        ExecutionPlan plan = PipelineCompiler.compile(spec);
        assertEquals(SpeculationMode.OFF, plan.speculation().mode());
        assertEquals(0, plan.speculation().k());
        assertEquals(1, plan.verifyRows());
    }

    /** All name one target: one engine, so their engine settings must agree (and they do). */
    @Test
    void theShippedPresetsShareOneEngine() throws IOException {
        List<ExecutionPlan> plans = PipelineCompiler.compileAll(List.of(read("stories.yaml"), read("stories-target.yaml"),
                read("stories-cascade.yaml"), read("stories-lookup.yaml"), read("stories-suffix.yaml"),
                read("stories-speccascade.yaml"), read("stories-select.yaml")));
        assertEquals(1, plans.stream().map(ExecutionPlan::target).distinct().count());
    }

    @Test
    void cascade() throws IOException {
        PipelineSpec spec = read("stories-cascade.yaml");
        assertEquals(List.of(new DrafterSpec.Model(STORIES_260K, 0)), spec.drafters());
        CascadeSpec cascade = new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, 0.7, 0.0, 32);
        assertEquals(new SpeculationSpec(SpeculationMode.CASCADE, 8, cascade, PolicySpec.DEFAULT), spec.speculation());
        ExecutionPlan plan = PipelineCompiler.compile(spec);
        assertEquals(SpeculationMode.CASCADE, plan.speculation().mode());
        assertEquals(cascade, plan.speculation().cascade());
        assertEquals(8, plan.speculation().k());
        assertEquals(9, plan.verifyRows());
        assertTrue(plan.dump().contains("mode        cascade (max_prob >= 0.7, rollback 0.0, at most 32 unverified)"),
                plan.dump());
    }

    @Test
    void lookup() throws IOException {
        PipelineSpec spec = read("stories-lookup.yaml");
        assertEquals(List.of(new DrafterSpec.Lookup(1, 4)), spec.drafters());
        assertEquals(SpeculationMode.LOSSLESS, spec.speculation().mode());
        ExecutionPlan plan = PipelineCompiler.compile(spec);
        DraftPlan.Lookup d = assertInstanceOf(DraftPlan.Lookup.class, plan.drafters().getFirst());
        assertEquals(new DraftPlan.Lookup(1, 4), d);
        assertEquals(8, plan.speculation().k());
        assertEquals(9, plan.verifyRows());
        assertFalse(plan.dump().contains("cascade ("), plan.dump());
    }

    @Test
    void suffixSpeculativeCascadeAndSelection() throws IOException {
        ExecutionPlan suffix = PipelineCompiler.compile(read("stories-suffix.yaml"));
        assertEquals(List.of(new DraftPlan.Suffix(32, 1.0, 0.1, true, 262144)), suffix.drafters());
        assertEquals(SpeculationMode.LOSSLESS, suffix.speculation().mode());
        ExecutionPlan spec = PipelineCompiler.compile(read("stories-speccascade.yaml"));
        assertEquals(CascadeSpec.speculative(CascadeSpec.Rule.OPT, 0.5), spec.speculation().cascade());
        assertTrue(spec.dump().contains("mode        cascade (speculative, rule opt alpha 0.5)"), spec.dump());
        ExecutionPlan select = PipelineCompiler.compile(read("stories-select.yaml"));
        assertEquals(3, select.drafters().size());
        assertEquals(DraftSelection.ADAPTIVE, select.speculation().selection());
        assertTrue(select.dump().contains("selection   adaptive"), select.dump());
    }

    /** The README's example pipeline is what a new user copies first: it must compile as written. */
    @Test
    void theReadmesExamplePipelineCompiles() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(id: .*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(readme);
        int examples = 0;
        while (m.find()) {
            ExecutionPlan plan = PipelineCompiler.compile(PipelineSpecParser.parse(m.group(1), "README.md"));
            assertEquals(5, plan.passes().size());
            examples++;
        }
        assertTrue(examples >= 1, "the README shows an example pipeline");
    }

    /** The benchmark pipelines compile, and each directory's presets agree on their engines. */
    @Test
    void benchmarkPipelinesCompile() throws IOException {
        for (String dir : List.of("config/bench-pipelines", "config/bench-idle")) {
            List<PipelineSpec> specs = new java.util.ArrayList<>();
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    specs.add(PipelineSpecParser.parse(Files.readString(f), f.toString()));
                }
            }
            assertTrue(specs.size() >= 3, dir);
            assertEquals(specs.size(), PipelineCompiler.compileAll(specs).size(), dir);
        }
    }
}
