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
import java.util.function.ToDoubleFunction;

/**
 * {@code specd bench overhead}: target-only tokens/s through specd's engine vs llama.cpp's own decode
 * loop, with the same sampler chain, and specd's host time per token.
 */
@Command(name = "overhead", mixinStandardHelpOptions = true,
        description = "Target-only tokens/s through specd's engine vs llama.cpp's own decode loop, same sampler chain; "
                + "specd's host time per token.")
final class OverheadCommand implements Callable<Integer> {

    @Mixin
    BenchCommand.Common common;

    @Option(names = "--tokens", defaultValue = "128", description = "tokens to generate per run")
    int tokens;

    @Option(names = "--runs", defaultValue = "3", description = "runs of each engine, alternating")
    int runs;

    @Option(names = "--prompt", defaultValue = "Once upon a time")
    String prompt;

    @Option(names = "--sampling", defaultValue = "greedy",
            description = "sampler chain: greedy, topp (temperature 0.8, top_p 0.95) or topk (top_k 40 first); "
                    + "default ${DEFAULT-VALUE}")
    String sampling;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SamplingChain chain = SamplingChain.named(sampling);
        int t = common.threads();
        Path out = common.out;
        Path file = common.target();
        System.err.printf("model %s, %s, %d tokens, %d threads, %d runs each%n", file, chain.id(), tokens, t, runs);
        List<OverheadBench.Run> results = new OverheadBench(file, prompt, tokens, t, chain).run(runs);
        double ours = median(results, "specd", r -> r.timing().tokensPerSecond());
        double peer = median(results, "llama.cpp", r -> r.timing().tokensPerSecond());
        double hostMicros = median(results, "specd", OverheadBench.Run::hostNanosPerToken) / 1e3;
        double hostCpuMicros = median(results, "specd", OverheadBench.Run::hostCpuNanosPerToken) / 1e3;
        double extraMicros = 1e6 / ours - 1e6 / peer;
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("run,engine,sampling,tokens,decode_seconds,first_token_seconds,"
                + "tokens_per_second,host_us_per_token,host_cpu_us_per_token\n");
        for (OverheadBench.Run r : results) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%.6f,%.6f,%.3f,%s,%s%n", r.index(), r.engine(), chain.id(),
                    r.timing().tokens(), r.timing().decodeNanos() / 1e9, r.timing().firstTokenNanos() / 1e9,
                    r.timing().tokensPerSecond(), micros(r.hostNanosPerToken()), micros(r.hostCpuNanosPerToken())));
        }
        Files.writeString(out.resolve("overhead.csv"), csv);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "overhead");
        json.put("model", file.toString());
        json.put("testbed", common.testbed);
        json.put("sampling", chain.id());
        json.put("tokens", tokens);
        json.put("threads", t);
        json.put("runs", runs);
        json.put("specd_tokens_per_second", ours);
        json.put("llamacpp_tokens_per_second", peer);
        json.put("ratio", ours / peer);
        json.put("specd_host_us_per_token", hostMicros);
        json.put("specd_host_cpu_us_per_token", hostCpuMicros);
        json.put("extra_us_per_token_vs_llamacpp", extraMicros);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("overhead.json").toFile(), json);
        System.out.printf(Locale.ROOT, "specd %.2f tok/s, llama.cpp %.2f tok/s (medians of %d runs, %s): ratio %.3f%n",
                ours, peer, runs, chain.id(), ours / peer);
        System.out.printf(Locale.ROOT, "specd host time %.1f us/token (engine thread CPU %.1f us/token); "
                + "specd - llama.cpp %.1f us/token%n", hostMicros, hostCpuMicros, extraMicros);
        System.out.println("wrote " + out.resolve("overhead.csv") + " and " + out.resolve("overhead.json"));
        return 0;
    }

    private static String micros(double nanos) {
        return Double.isNaN(nanos) ? "" : String.format(Locale.ROOT, "%.2f", nanos / 1e3);
    }

    private static double median(List<OverheadBench.Run> runs, String engine, ToDoubleFunction<OverheadBench.Run> value) {
        double[] v = runs.stream().filter(r -> r.engine().equals(engine)).mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
