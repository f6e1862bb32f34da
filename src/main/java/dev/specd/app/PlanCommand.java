package dev.specd.app;

import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.PipelineCompiler;
import dev.specd.plan.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code specd plan FILE}: compiles a pipeline spec and prints the plan, like a compiler's IR dump. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Compile a pipeline spec (YAML) and print its execution plan.")
public final class PlanCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "pipeline YAML file, or the name of an embedded pipeline")
    String spec;

    public static int run(String... args) {
        return new CommandLine(new PlanCommand()).execute(args);
    }

    @Override
    public Integer call() {
        try {
            ExecutionPlan plan = PipelineCompiler.compile(PipelineSources.named(spec));
            System.out.print(plan.dump());
            return 0;
        } catch (SpecException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
