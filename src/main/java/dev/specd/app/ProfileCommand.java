package dev.specd.app;

import dev.specd.bench.BenchCommand;
import dev.specd.bench.Workload;
import dev.specd.engine.CacheDirs;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PipelineCompiler;
import dev.specd.plan.SpecException;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.adaptive.ProfileData;
import dev.specd.runtime.adaptive.RequestClass;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sched.Engine;
import dev.specd.sched.Pipeline;
import dev.specd.sched.SchedulerLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code specd profile --pipeline P --workload W}: profile-guided optimisation offline. Runs the
 * workload through the pipeline with its full k every round (so that acceptance is measured at
 * every draft position, which an adaptive run that settled on a short k would never see), and
 * saves the profile where the server loads it at start-up.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Run a workload through a pipeline and save its profile (acceptance per draft position and "
                + "confidence, verify and draft cost) for the server's warm start.")
public final class ProfileCommand implements Callable<Integer> {

    @Option(names = "--pipeline", required = true, description = "pipeline YAML file, or an embedded pipeline's name")
    String pipeline;

    @Option(names = "--workload", defaultValue = "sampled",
            description = "high-acceptance (greedy), sampled (temperature 1), adversarial (temperature 1.5), edits, "
                    + "or a file with one prompt per line")
    String workload;

    @Option(names = "--tokens", defaultValue = "128", description = "tokens per request")
    int tokens;

    @Option(names = "--repeat", defaultValue = "2", description = "passes over the workload's prompts")
    int repeat;

    @Option(names = "--threads", defaultValue = "0", description = "decode threads (0 = the pipeline's setting)")
    int threads;

    @Option(names = "--dir", description = "profiles directory (default: the server's, <cache>/profiles)")
    Optional<Path> dir;

    public static int run(String... args) {
        return new CommandLine(new ProfileCommand()).execute(args);
    }

    @Override
    public Integer call() {
        ExecutionPlan plan;
        try {
            plan = PipelineCompiler.compile(PipelineSources.named(pipeline));
        } catch (SpecException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        if (threads > 0) plan = plan.withThreads(threads);
        if (!plan.speculation().speculates()) {
            System.err.println("error: pipeline " + plan.id() + " does not speculate: there is nothing to profile");
            return 1;
        }
        Workload w = Workload.named(workload);
        // The full k every round, so that acceptance is measured at every draft position.
        SpeculationSpec settings = plan.speculation().withPolicy(plan.speculation().policy()
                .withPolicy(SpeculationPolicy.STATIC));
        long t0 = System.nanoTime();
        int generated = 0;
        ProfileStore store = new ProfileStore(dir.orElse(CacheDirs.fromEnvironment().profilesDir()));
        Serving.Setup setup = new Serving.Setup(BenchCommand.resolver(), new ModelPool(Telemetry.NONE),
                new SchedulerLimits(16, Duration.ofHours(1)), Telemetry.NONE, EnergyAccount.unmetered(),
                ProfileSource.FRESH);
        try (Serving serving = Serving.start(List.of(plan), setup)) {
            serving.awaitReady(Duration.ofMinutes(10));
            Pipeline p = serving.pipelines().getFirst();
            Engine engine = p.engine();
            for (int pass = 0; pass < repeat; pass++) {
                for (int i = 0; i < w.prompts().size(); i++) {
                    generated += w.run(p, i, i + pass * w.prompts().size(), tokens, settings).completionTokens();
                }
            }
            String engineKey = ProfileStore.engineKey(engine.spec(), draftKeys(plan));
            ProfileData data = p.profile().snapshot();
            System.out.printf(Locale.ROOT, "profiled pipeline %s on workload %s: %d tokens, %d rounds in %.1f s%n",
                    plan.id(), w.name(), generated, data.rounds(), (System.nanoTime() - t0) / 1e9);
            System.out.println(p.profile().report(RequestClass.of(plan.speculation().mode(), w.sampling(0)),
                    plan.speculation().k()));
            report(store.saveEngine(engine.costs().snapshot(engine.id(), engineKey)), store.engineFile(engine.id()));
            report(store.savePreset(engine.id(), data), store.presetFile(engine.id(), plan.id()));
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static List<String> draftKeys(ExecutionPlan plan) {
        return plan.drafters().stream().filter(d -> d instanceof DraftPlan.Model)
                .map(d -> ((DraftPlan.Model) d).model().key()).distinct().toList();
    }

    private static void report(Optional<Path> saved, Path file) {
        System.out.println(saved.map(f -> "saved " + f)
                .orElse("kept " + file + ": it holds more measurements than this run"));
    }
}
