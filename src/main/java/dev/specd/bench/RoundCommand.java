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
        RoundBench.Result r = bench.measure(rounds, repetitions);
        StringBuilder csv = new StringBuilder("phase,cpu_us_per_round_mean,cpu_us_per_round_median\n");
        r.mean().forEach((p, us) -> csv.append(String.format(Locale.ROOT, "%s,%.2f,%.2f%n", p, us, r.median().get(p))));
        csv.append(String.format(Locale.ROOT, "round (copy + draft sampling + lazy verify),%.2f,%.2f%n", r.roundMean(),
                r.roundMedian()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "round");
        json.put("target", target.toString());
        json.put("draft", draftFile.toString());
        json.put("vocab", vocab);
        json.put("k", k);
        json.put("sampling", chain.id());
        json.put("rounds", rounds.size());
        json.put("repetitions", repetitions);
        json.put("accepted_per_round_mean", r.acceptedMean());
        json.put("cpu_us_per_round_mean", r.mean());
        json.put("cpu_us_per_round_median", r.median());
        json.put("round_cpu_us_mean", r.roundMean());
        json.put("round_cpu_us_median", r.roundMedian());
        Files.createDirectories(common.out);
        Files.writeString(common.out.resolve("round.csv"), csv);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(common.out.resolve("round.json").toFile(), json);
        Charts.bars(common.out.resolve("round.png"), "Host CPU time of one round (k = " + k + ", " + vocab + " tokens, "
                + chain.id() + ")", "us", Map.of("mean", r.mean(), "median", r.median()));
        System.out.printf(Locale.ROOT, "%d tokens, k = %d, %s: CPU time per round over %d rounds x %d "
                + "(%.2f drafts accepted per round on average)%n", vocab, k, chain.id(), rounds.size(), repetitions,
                r.acceptedMean());
        System.out.printf(Locale.ROOT, "  %-18s %9s %9s%n", "phase", "mean us", "median us");
        r.mean().forEach((p, us) -> System.out.printf(Locale.ROOT, "  %-18s %9.1f %9.1f%n", p, us, r.median().get(p)));
        System.out.printf(Locale.ROOT, "  %-18s %9.1f %9.1f  (copy + draft sampling + lazy verify)%n", "round",
                r.roundMean(), r.roundMedian());
        System.out.println("wrote " + common.out.resolve("round.csv") + ", round.json and round.png");
        return 0;
    }
}
