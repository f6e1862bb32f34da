package dev.specd.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four embedded presets share one target: a process serving all four takes little more memory
 * than one serving the default alone (when each pipeline loaded its own copy and context, four
 * took about the weights and KV cache three times more). Measured in separate processes, since the
 * resident set of a test JVM says nothing about one server.
 */
class SharedModelsMemoryTest {

    @Test
    void fourPresetsTakeAtMostThirtyPercentMoreThanOne() throws Exception {
        long one = rss("stories");
        long four = rss("stories", "stories-target", "stories-cascade", "stories-lookup");
        System.out.printf("RSS: one preset %d kB, four presets %d kB (%.2fx)%n", one, four, (double) four / one);
        assertTrue(four <= 1.3 * one, "four presets " + four + " kB vs one " + one + " kB");
    }

    private static long rss(String... pipelines) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName()));
        cmd.addAll(List.of(pipelines));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the probe did not end");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("RSS ")).map(l -> Long.parseLong(l.substring(4).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no RSS line in:\n" + out));
    }
}
