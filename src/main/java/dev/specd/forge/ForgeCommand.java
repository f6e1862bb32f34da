package dev.specd.forge;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code specd forge ...}: writes GGUF models with the {@link Forge}. */
@Command(name = "forge", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
        description = "Write GGUF models derived from other models, deterministically for a given seed.",
        subcommands = {ForgeCommand.Expand.class, ForgeCommand.Truncate.class, ForgeCommand.RandomModelCmd.class,
                ForgeCommand.Quantize.class, ForgeCommand.Template.class, ForgeCommand.Vocab.class})
public final class ForgeCommand implements Callable<Integer> {

    static final String VERSION_TEXT = "specd forge, recipe version " + Forge.VERSION;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs {@code forge} with the given arguments on standard output and error; returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, printing to the given writers (tests capture them). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new ForgeCommand());
        cl.registerConverter(GgmlType.class, GgmlType::parse);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("forge " + line.getCommandName() + ": " + e.getMessage());
            line.getErr().flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** Prints what an operation wrote, the way every subcommand reports it. */
    static int report(CommandLine cl, ForgeResult r, long startNanos) {
        cl.getOut().printf(Locale.ROOT, "wrote %s%n  parameters %,d%n  bytes      %,d%n  sha256     %s%n  took       %.2f s%n",
                r.path(), r.parameters(), r.bytes(), r.sha256(), (System.nanoTime() - startNanos) / 1e9);
        cl.getOut().flush();
        return 0;
    }

    /** A subcommand that writes one model to {@code --out} and reports it. */
    abstract static class Operation implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--out", required = true, description = "output GGUF")
        Path out;

        abstract ForgeResult write();

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            return report(spec.commandLine(), write(), t0);
        }
    }

    /** An operation on an existing model, {@code --source}. */
    abstract static class FromSource extends Operation {
        @Option(names = "--source", required = true, description = "source GGUF")
        Path source;
    }

    @Command(name = "expand", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Function-preserving wider/deeper llama model (epsilon 0 keeps the source's outputs).")
    static final class Expand extends FromSource {
        @Option(names = "--embd", required = true, description = "new embedding width")
        private int embd;
        @Option(names = "--ff", required = true, description = "new feed-forward width")
        private int ff;
        @Option(names = "--layers", required = true, description = "new block count")
        private int layers;
        @Option(names = "--epsilon", defaultValue = "0", description = "divergence from the source (default ${DEFAULT-VALUE})")
        private double epsilon;
        @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
        private long seed;
        @Option(names = "--type", defaultValue = "f16", description = "weight type: f32, f16, q8_0, q4_0 (default ${DEFAULT-VALUE})")
        private GgmlType type;

        @Override
        ForgeResult write() {
            return Forge.expand(source, out, new ExpandSpec(embd, ff, layers, epsilon, seed, type));
        }
    }

    @Command(name = "truncate", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Keep the first N blocks (a draft model).")
    static final class Truncate extends FromSource {
        @Option(names = "--layers", required = true, description = "blocks to keep")
        private int layers;

        @Override
        ForgeResult write() {
            return Forge.truncate(source, out, layers);
        }
    }

    @Command(name = "quantize", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Convert weight matrices to another type (norms stay F32).")
    static final class Quantize extends FromSource {
        @Option(names = "--type", required = true, description = "f32, f16, q8_0 or q4_0")
        private GgmlType type;

        @Override
        ForgeResult write() {
            return Forge.quantize(source, out, type);
        }
    }

    @Command(name = "template", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Copy a model, storing a Jinja chat template as its tokenizer.chat_template.")
    static final class Template extends FromSource {
        @Option(names = "--chat-template", required = true, description = "Jinja chat template file (e.g. shared/templates/*.jinja)")
        private Path chatTemplate;

        @Override
        ForgeResult write() {
            return Forge.withChatTemplate(source, out, chatTemplate);
        }
    }

    @Command(name = "vocab", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Grow the vocabulary to N tokens with placeholder tokens at the model's unknown-token floor "
                    + "(real-size softmax, same text).")
    static final class Vocab extends FromSource {
        @Option(names = "--vocab", required = true, description = "tokens in the result (e.g. 32000, 152064, 256000)")
        private int vocab;
        @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
        private long seed;

        @Override
        ForgeResult write() {
            return Forge.vocab(source, out, new VocabSpec(vocab, seed));
        }
    }

    @Command(name = "random", mixinStandardHelpOptions = true, version = ForgeCommand.VERSION_TEXT,
            description = "Random-weight llama model with another model's tokenizer.")
    static final class RandomModelCmd extends Operation {
        @Option(names = "--tokenizer", description = "GGUF whose tokenizer is copied (default: stories260K.gguf from SPECD_MODELS_DIR)")
        private Path tokenizer;
        @Option(names = "--embd", required = true, description = "embedding width")
        private int embd;
        @Option(names = "--ff", required = true, description = "feed-forward width")
        private int ff;
        @Option(names = "--layers", required = true, description = "block count")
        private int layers;
        @Option(names = "--heads", required = true, description = "attention heads")
        private int heads;
        @Option(names = "--kv-heads", description = "key/value heads (default: --heads)")
        private Integer kvHeads;
        @Option(names = "--context", defaultValue = "2048", description = "declared context length (default ${DEFAULT-VALUE})")
        private int context;
        @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
        private long seed;
        @Option(names = "--type", defaultValue = "f16", description = "weight type (default ${DEFAULT-VALUE})")
        private GgmlType type;
        @Option(names = "--vocab", defaultValue = "0",
                description = "tokens: 0 keeps the tokenizer's, more adds placeholder tokens (default ${DEFAULT-VALUE})")
        private int vocab;

        @Override
        ForgeResult write() {
            Path tok = tokenizer != null ? tokenizer : defaultTokenizer();
            RandomSpec rs = new RandomSpec(embd, ff, layers, heads, kvHeads != null ? kvHeads : heads, tok, context, seed,
                    type, vocab);
            return Forge.random(out, rs);
        }

        private static Path defaultTokenizer() {
            List<Path> tried = new ArrayList<>();
            String dirs = System.getenv("SPECD_MODELS_DIR");
            if (dirs != null) {
                for (String d : dirs.split(":")) if (!d.isBlank()) tried.add(Path.of(d, "stories260K.gguf"));
            }
            tried.add(Path.of("stories260K.gguf"));
            return tried.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("no --tokenizer given and stories260K.gguf not found in " + tried));
        }
    }
}
