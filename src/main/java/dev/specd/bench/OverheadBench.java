package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.engine.llamacpp.NativeLibrary;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;
import dev.specd.sampling.SamplingParams;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Target-only generation speed through specd's engine (FFM bindings, scheduler loop, Java
 * sampler) against llama.cpp's own decode loop on the same model, threads and prompt, greedy with
 * end-of-generation ignored so both generate exactly the same number of tokens. Runs alternate
 * (specd, llama.cpp, specd, ...) so that drifts of the machine hit both alike.
 */
public final class OverheadBench {

    static final String RESULT_PREFIX = "PEER-RESULT ";

    public record Run(int index, String engine, Timing timing) {
    }

    private final Path model;
    private final String prompt;
    private final int tokens;
    private final int threads;
    private final int contextLength;

    public OverheadBench(Path model, String prompt, int tokens, int threads) {
        this.model = model;
        this.prompt = prompt;
        this.tokens = tokens;
        this.threads = threads;
        this.contextLength = 512;
    }

    public List<Run> run(int runs) throws IOException, InterruptedException {
        List<Run> out = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            out.add(new Run(r, "specd", specd()));
            System.err.printf("run %d specd     %.2f tok/s%n", r, out.getLast().timing().tokensPerSecond());
            out.add(new Run(r, "llama.cpp", peer()));
            System.err.printf("run %d llama.cpp %.2f tok/s%n", r, out.getLast().timing().tokensPerSecond());
        }
        return out;
    }

    /** One generation through an engine, as a request to the server would run (in-process, fresh load). */
    Timing specd() {
        ModelBackend backend = LlamaBackend.load(model, LoadOptions.DEFAULT);
        ExecutionPlan plan = ExecutionPlan.targetOnly("bench", new ModelRef.File(model.toString(),
                java.util.Optional.empty(), java.util.Optional.empty()), contextLength, 1, threads);
        try (LocalEngine local = LocalEngine.builder(backend, plan.target()).pipeline(plan).ownModels().start()) {
            Pipeline engine = local.pipeline();
            int[] promptTokens = backend.vocab().tokenize(prompt, true, true);
            generate(engine, promptTokens, 8); // warm-up, as the peer does
            return generate(engine, promptTokens, tokens);
        }
    }

    private static Timing generate(Pipeline engine, int[] prompt, int n) {
        long start = System.nanoTime();
        long[] firstLast = new long[2];
        int[] count = new int[1];
        // Token times as the engine emits them, like a stream's writer sees them.
        Collector.Completed c = Collector.run(engine, new GenerationRequest(prompt, SamplingParams.greedy(), n, List.of(),
                true, SpeculationSpec.OFF));
        count[0] = c.tokens().length;
        firstLast[0] = c.firstTokenNanos();
        firstLast[1] = c.lastTokenNanos();
        return new Timing(count[0], firstLast[1] - firstLast[0], firstLast[0] - start);
    }

    /** One generation by llama.cpp's own loop in a child process. */
    Timing peer() throws IOException, InterruptedException {
        Path lib = NativeLibrary.resolve();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dde.kherud.llama.lib.path=" + lib.getParent(), "--enable-native-access=ALL-UNNAMED",
                "-cp", peerClassPath(), LlamaCppPeer.class.getName(),
                model.toString(), prompt, Integer.toString(tokens), Integer.toString(threads),
                Integer.toString(contextLength));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(RESULT_PREFIX)) result = line.substring(RESULT_PREFIX.length());
                else if (log.length() < 20_000) log.append(line).append('\n');
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        if (result == null) throw new IOException("the llama.cpp peer printed no result:\n" + log);
        String[] f = result.trim().split(" ");
        return new Timing(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
    }

    /**
     * The child needs our classes and the de.kherud jar. From the packaged server they are in
     * quarkus-app/app and quarkus-app/lib/main beside quarkus-run.jar; in a build tree the JVM's
     * own class path already holds both.
     */
    static String peerClassPath() {
        String cp = System.getProperty("java.class.path");
        if (cp.endsWith("quarkus-run.jar")) {
            File dir = new File(cp).getAbsoluteFile().getParentFile();
            return new File(dir, "app/*") + File.pathSeparator + new File(dir, "lib/main/*");
        }
        return cp;
    }
}
