package dev.specd.bench;

import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.Pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prompts and how to sample them: what a benchmark or an offline profiling run sends.
 *
 * @param temperature 0 = greedy; each prompt i is sampled with seed {@code 1000 + i}, so that every
 *                    configuration sees the same requests
 */
public record Workload(String name, List<String> prompts, double temperature) {

    public Workload {
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) throw new IllegalArgumentException("workload " + name + " has no prompts");
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

    /** A built-in workload by name, or a text file with one prompt per line (sampled at temperature 1). */
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
                    + "sampled, edits, or a file with one prompt per line");
        }
        try {
            List<String> prompts = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            return new Workload(file.getFileName().toString(), prompts, 1.0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read workload " + file, e);
        }
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
        SamplingParams p = temperature == 0 ? SamplingParams.greedy() : SamplingParams.defaults().withTemperature(temperature);
        return p.withSeed(1000 + prompt);
    }
}
