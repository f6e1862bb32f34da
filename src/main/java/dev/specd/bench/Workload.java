package dev.specd.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.Pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prompts and how to sample them: what a benchmark or an offline profiling run sends. Written as
 * files under {@code config/workloads/} ({@link #load}), or built in.
 *
 * @param temperature   0 = greedy; each prompt i is sampled with seed {@code 1000 + i}, so that every
 *                      configuration sees the same requests
 * @param topP          nucleus of sampled requests (1 = off)
 * @param maxTokens     tokens each request generates (end-of-generation ignored), 0 = the benchmark's own
 * @param targetEpsilon when present, the divergence ε of the forged target this workload asks for
 *                      on the default test bed (the adversarial workload's divergent pair)
 */
public record Workload(String name, String description, List<String> prompts, double temperature, double topP,
                       int maxTokens, Optional<Double> targetEpsilon) {

    public Workload {
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) throw new IllegalArgumentException("workload " + name + " has no prompts");
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("workload " + name + ": top_p must be in (0, 1]");
        if (maxTokens < 0) throw new IllegalArgumentException("workload " + name + ": max_tokens must be >= 0");
    }

    public Workload(String name, List<String> prompts, double temperature) {
        this(name, "", prompts, temperature, 1.0, 0, Optional.empty());
    }

    /** Greedy continuations of story openings: the draft agrees with the target most of the time. */
    public static Workload highAcceptance() {
        return new Workload("high-acceptance", SpeculationBench.STORY_PROMPTS, 0.0);
    }

    /**
     * The same openings sampled hot (temperature 1.5). Temperature alone does not make drafts fail
     * on the forged pairs (both distributions flatten alike: acceptance stays ~0.8), so the
     * benchmark runs this workload on a target that diverges more from its draft (ε 0.12), where
     * acceptance falls to ~0.3 and a policy that keeps drafting loses to target-only.
     */
    public static Workload adversarial() {
        return new Workload("adversarial", SpeculationBench.STORY_PROMPTS, 1.5);
    }

    /** A built-in workload by name, a workload file ({@code .yaml}), or a text file with one prompt per line (sampled at temperature 1). */
    public static Workload named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "high-acceptance", "greedy" -> highAcceptance();
            case "adversarial", "hot" -> adversarial();
            case "sampled" -> new Workload("sampled", SpeculationBench.STORY_PROMPTS, 1.0);
            case "edits" -> new Workload("edits", SpeculationBench.EDIT_PROMPTS, 0.0);
            default -> fromFile(Path.of(name));
        };
    }

    private static Workload fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("unknown workload '" + file + "': use high-acceptance, adversarial, "
                    + "sampled, edits, a workload .yaml file, or a file with one prompt per line");
        }
        String n = file.getFileName().toString();
        if (n.endsWith(".yaml") || n.endsWith(".yml")) return load(file);
        try {
            List<String> prompts = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            return new Workload(n, prompts, 1.0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read workload " + file, e);
        }
    }

    /** A workload file as written under config/workloads (see its README). */
    record Spec(String name, String description, List<String> prompts,
                @JsonProperty("prompts_file") String promptsFile, @JsonProperty("prompt_repeat") Integer promptRepeat,
                Double temperature, @JsonProperty("top_p") Double topP, @JsonProperty("max_tokens") Integer maxTokens,
                @JsonProperty("target_epsilon") Double targetEpsilon) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Reads a workload file: {@code prompts} (a list) and/or {@code prompts_file} (one prompt per
     * line, relative to the file), each prompt repeated {@code prompt_repeat} times (long prompts
     * without a long file), and the sampling. Unknown keys are errors, so a misspelt knob never
     * silently falls back to a default.
     */
    public static Workload load(Path file) {
        Spec s;
        try {
            s = YAML.readValue(file.toFile(), Spec.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read workload " + file + ": " + e.getMessage(), e);
        }
        if (s == null) throw new IllegalArgumentException("workload " + file + " is empty");
        List<String> prompts = new ArrayList<>(s.prompts() == null ? List.of() : s.prompts());
        if (s.promptsFile() != null) {
            Path lines = file.resolveSibling(s.promptsFile());
            try {
                Files.readAllLines(lines).stream().filter(l -> !l.isBlank()).forEach(prompts::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + lines + " (prompts_file of " + file + ")", e);
            }
        }
        int repeat = s.promptRepeat() == null ? 1 : s.promptRepeat();
        if (repeat < 1) throw new IllegalArgumentException("workload " + file + ": prompt_repeat must be >= 1");
        if (repeat > 1) prompts.replaceAll(p -> (p + " ").repeat(repeat).strip());
        String name = s.name() != null ? s.name() : file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return new Workload(name, s.description() == null ? "" : s.description(), prompts,
                s.temperature() == null ? 0 : s.temperature(), s.topP() == null ? 1.0 : s.topP(),
                s.maxTokens() == null ? 0 : s.maxTokens(), Optional.ofNullable(s.targetEpsilon()));
    }

    /** Every workload file of a directory, by name. */
    public static List<Workload> loadAll(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(Workload::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list workloads in " + dir, e);
        }
    }

    /** The tokens each request generates: the workload's own, else {@code fallback}. */
    public int tokens(int fallback) {
        return maxTokens > 0 ? maxTokens : fallback;
    }

    /**
     * Runs prompt {@code prompt} on {@code pipeline}, sampled as request {@code seedIndex} of the
     * workload, to its end (end-of-generation tokens ignored, so every run has {@code maxTokens}).
     */
    public GenerationEvent.Done run(Pipeline pipeline, int prompt, int seedIndex, int maxTokens, SpeculationSpec s) {
        int[] tokens = pipeline.target().vocab().tokenize(prompts.get(prompt), true, false);
        return Collector.run(pipeline, new GenerationRequest(tokens, sampling(seedIndex), maxTokens, List.of(), true, s))
                .done();
    }

    public SamplingParams sampling(int prompt) {
        SamplingParams p = temperature == 0 ? SamplingParams.greedy()
                : SamplingParams.defaults().withTemperature(temperature).withTopP(topP);
        return p.withSeed(1000 + prompt);
    }
}
