package dev.specd.app;

import dev.specd.plan.ExecutionPlan;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.Pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A server's engines without HTTP, in a process of its own, for measuring memory: starts the named
 * embedded pipelines as the server does, runs one request on each (so that weights and caches are
 * touched), and prints the process's resident set size as {@code RSS <kB>}.
 * {@code java -cp <test classpath> dev.specd.app.MemoryProbe stories stories-target ...}
 */
public final class MemoryProbe {

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<ExecutionPlan> plans = ServingTest.embedded(args);
        try (Serving serving = ServingTest.start(plans, new ModelPool(Telemetry.NONE), Telemetry.NONE)) {
            for (Pipeline p : serving.pipelines()) {
                int[] prompt = p.target().vocab().tokenize("Once upon a time", true, false);
                Collector.run(p, new GenerationRequest(prompt, SamplingParams.greedy(), 32, List.of(), true,
                        p.plan().withOverride(null, true)));
            }
            System.out.println("RSS " + rssKb());
        }
        System.exit(0);
    }

    static long rssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
