package dev.specd;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Programs the tests run beside the JVM (Prometheus' {@code prometheus} and {@code promtool}, from
 * Debian's {@code prometheus} package, which {@code .ci/run} installs): found on the PATH, run with
 * a time limit, their output kept for the failure message.
 */
public final class ExternalTools {

    private ExternalTools() {
    }

    /** What a finished program said and how it ended. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String describe() {
            return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
        }
    }

    /** The executable {@code name} on the PATH, if any. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        return Arrays.stream(path.split(File.pathSeparator)).filter(d -> !d.isBlank())
                .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** The message a test skipped for want of {@code name} gives. */
    public static String missing(String name) {
        return "no '" + name + "' on the PATH: install Debian's prometheus package (apt-get install prometheus; "
                + ".ci/run does) to run this test";
    }

    /** Runs {@code command} in {@code dir} to its end, or kills it after {@code timeout}. */
    public static Result run(Duration timeout, Path dir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("specd-tool", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            return new Result(List.of(command), ended ? p.exitValue() : -1,
                    ended ? output : output + "\n(killed after " + timeout + ")");
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
