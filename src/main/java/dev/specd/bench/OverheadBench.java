package dev.specd.bench;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.engine.llamacpp.NativeLibrary;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import dev.specd.sched.Pipeline;

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
 * sampler) against llama.cpp's own decode loop on the same model, threads, prompt and sampler
 * chain ({@link SamplingChain}), with end-of-generation ignored so both generate exactly the same
 * number of tokens. Runs alternate (specd, llama.cpp, specd, ...) so that drifts of the machine hit
 * both alike.
 *
 * <p>Besides the speed, each specd run reports its host time per token, everything specd does
 * around llama.cpp's decode: as wall time (time per token minus the mean decode) and as the engine
 * thread's CPU time between decodes, which a busy machine inflates far less. specd warms up over a
 * few whole generations first, so that the JIT has compiled the per-token path, as it has in a
 * server that has been running for a while.
 */
public final class OverheadBench {

    static final String RESULT_PREFIX = "PEER-RESULT ";

    /**
     * @param hostNanosPerToken    specd's wall time per token outside the engine's decodes; NaN for the peer
     * @param hostCpuNanosPerToken the engine thread's CPU time per token between decodes; NaN for the peer
     */
    public record Run(int index, String engine, Timing timing, double hostNanosPerToken, double hostCpuNanosPerToken) {
    }

    /** Whole warm-up generations before specd's measured one: enough for C2 to compile the token path. */
    static final int WARM_UP_RUNS = 6;

    private final Path model;
    private final String prompt;
    private final int tokens;
    private final int threads;
    private final int contextLength;
    private final SamplingChain sampling;

    public OverheadBench(Path model, String prompt, int tokens, int threads, SamplingChain sampling) {
        this.model = model;
        this.prompt = prompt;
        this.tokens = tokens;
        this.threads = threads;
        this.contextLength = 512;
        this.sampling = sampling;
    }

    public List<Run> run(int runs) throws IOException, InterruptedException {
        List<Run> out = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            out.add(specd(r));
            System.err.printf("run %d specd     %.2f tok/s, host %.1f us/token (engine thread CPU %.1f us/token)%n", r,
                    out.getLast().timing().tokensPerSecond(), out.getLast().hostNanosPerToken() / 1e3,
                    out.getLast().hostCpuNanosPerToken() / 1e3);
            out.add(new Run(r, "llama.cpp", peer(), Double.NaN, Double.NaN));
            System.err.printf("run %d llama.cpp %.2f tok/s%n", r, out.getLast().timing().tokensPerSecond());
        }
        return out;
    }

    /** One generation through an engine, as a request to the server would run (in-process, fresh load). */
    Run specd(int index) {
        TimedBackend backend = new TimedBackend(LlamaBackend.load(model, LoadOptions.DEFAULT));
        BenchPlan plan = new BenchPlan("overhead", SpeculationMode.OFF, 0,
                CascadeSpec.DEFAULT, PolicySpec.STATIC, false);
        try (LocalEngine local = plan.open(backend, null, contextLength, 1, threads, 1, false, EnergyAccount.unmetered())) {
            Pipeline engine = local.pipeline();
            int[] promptTokens = backend.vocab().tokenize(prompt, true, true);
            for (int w = 0; w < WARM_UP_RUNS; w++) generate(engine, promptTokens, tokens);
            backend.takeDecodes();
            Timing t = generate(engine, promptTokens, tokens);
            // The first decode is the prompt's; each later one computes the next token.
            List<TimedBackend.Decode> d = backend.takeDecodes();
            double decodePerToken = d.stream().skip(1).mapToLong(TimedBackend.Decode::computeNanos).average().orElse(0);
            double cpuBetween = 0;
            for (int i = 1; i < d.size(); i++) cpuBetween += d.get(i).cpuBefore() - d.get(i - 1).cpuAfter();
            // After the last decode comes the last token's sampling and emission, like after every other.
            return new Run(index, "specd", t, t.decodeNanos() / (double) (t.tokens() - 1) - decodePerToken,
                    d.size() > 1 ? cpuBetween / (d.size() - 1) : Double.NaN);
        }
    }

    private Timing generate(Pipeline engine, int[] prompt, int n) {
        long start = System.nanoTime();
        long[] firstLast = new long[2];
        int[] count = new int[1];
        // Token times as the engine emits them, like a stream's writer sees them.
        Collector.Completed c = Collector.run(engine, new GenerationRequest(prompt, sampling.params(), n, List.of(),
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
                Integer.toString(contextLength), sampling.id());
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
