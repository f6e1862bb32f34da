package dev.specd.app;

import dev.specd.bench.AdviseCommand;
import dev.specd.bench.BenchCommand;
import dev.specd.forge.ForgeCommand;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Set;

/** The tool subcommands of the {@code specd} jar; each is a picocli command of its own package. */
public final class SpecdCli {

    private static final Set<String> TOOLS = Set.of("forge", "bench", "advise", "plan", "profile", "help", "--help", "-h");

    private SpecdCli() {
    }

    public static boolean isTool(String arg) {
        return TOOLS.contains(arg);
    }

    public static int run(String... args) {
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "forge" -> ForgeCommand.run(rest);
            case "bench" -> BenchCommand.run(rest);
            case "advise" -> AdviseCommand.run(rest);
            case "plan" -> PlanCommand.run(rest);
            case "profile" -> ProfileCommand.run(rest);
            default -> usage(System.out);
        };
    }

    static int usage(PrintStream out) {
        out.println("""
                Usage: specd [serve]              start the OpenAI-compatible server (default)
                       specd forge <op> ...       write GGUF models: expand, truncate, random, quantize
                       specd bench <name> ...     run a benchmark: overhead, speculation, load, adaptive
                       specd advise --target T --draft D ...   pick a drafter and k: predicted speed-up, pipeline YAML
                       specd plan <file.yaml>     compile a pipeline spec and print its plan
                       specd profile --pipeline P --workload W   profile a pipeline offline (PGO)
                Each tool prints its own help with --help.""");
        return 0;
    }
}
