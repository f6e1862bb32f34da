package dev.specd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code specd bench round}: the host's time in one speculative round, split by phase ({@link RoundBench}). */
@Command(name = "round", mixinStandardHelpOptions = true,
        description = "Host time of one speculative round on real rows of a target/draft pair: logits copy, "
                + "draft sampling, target truncation, rejection, and the lazy verification the runtime uses.")
final class RoundCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Mixin
    BenchCommand.DraftOption draft;

    @Option(names = "--k", defaultValue = "8", description = "drafted tokens per round (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--sampling", defaultValue = "topp",
            description = "sampler chain: greedy, topp or topk (default ${DEFAULT-VALUE})")
    String sampling;

    @Option(names = "--rounds-per-prompt", defaultValue = "3", description = "rounds captured per story prompt")
    int roundsPerPrompt;

    @Option(names = "--repetitions", defaultValue = "40", description = "timed passes over the captured rounds")
    int repetitions;

    @Override
    public Integer call() throws IOException {
        SamplingChain chain = SamplingChain.named(sampling);
        Path target = common.target();
        Path draftFile = draft.file(common);
        System.err.printf("target %s, draft %s, k %d, %s%n", target, draftFile, k, chain.id());
        RoundBench bench = new RoundBench(chain.params(), k);
        List<String> prompts = SpeculationBench.STORY_PROMPTS.subList(0, 4);
        List<RoundBench.Round> rounds = bench.capture(target, draftFile, prompts, roundsPerPrompt, common.threads());
        int vocab = rounds.getFirst().targetRows()[0].length;
        Map<String, Double> phases = bench.measure(rounds, repetitions);
        double round = phases.get("logits copy") + phases.get("draft sampling") + phases.get("verify (lazy)");
        StringBuilder csv = new StringBuilder("phase,cpu_us_per_round\n");
        phases.forEach((p, us) -> csv.append(String.format(Locale.ROOT, "%s,%.2f%n", p, us)));
        csv.append(String.format(Locale.ROOT, "round (copy + draft sampling + lazy verify),%.2f%n", round));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "round");
        json.put("target", target.toString());
        json.put("draft", draftFile.toString());
        json.put("vocab", vocab);
        json.put("k", k);
        json.put("sampling", chain.id());
        json.put("rounds", rounds.size());
        json.put("repetitions", repetitions);
        json.put("cpu_us_per_round", phases);
        json.put("round_cpu_us", round);
        Files.createDirectories(common.out);
        Files.writeString(common.out.resolve("round.csv"), csv);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(common.out.resolve("round.json").toFile(), json);
        Charts.bars(common.out.resolve("round.png"), "Host time of one round (k = " + k + ", " + vocab + " tokens, "
                + chain.id() + ")", "CPU us", Map.of("us", phases));
        System.out.printf(Locale.ROOT, "%d tokens, k = %d, %s, median CPU time per round over %d rounds x %d:%n", vocab, k,
                chain.id(), rounds.size(), repetitions);
        phases.forEach((p, us) -> System.out.printf(Locale.ROOT, "  %-18s %8.1f us%n", p, us));
        System.out.printf(Locale.ROOT, "  %-18s %8.1f us  (copy + draft sampling + lazy verify)%n", "round", round);
        System.out.println("wrote " + common.out.resolve("round.csv") + ", round.json and round.png");
        return 0;
    }
}
