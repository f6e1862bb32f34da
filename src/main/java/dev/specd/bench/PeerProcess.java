package dev.specd.bench;

import dev.specd.engine.llamacpp.NativeLibrary;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a llama.cpp peer (de.kherud's JNI server loop) in a child process — {@code LlamaModel.close()}
 * frees nothing and its worker thread can keep a JVM alive, so each peer run gets a JVM of its own —
 * and returns the line it prints after {@link OverheadBench#RESULT_PREFIX}.
 */
final class PeerProcess {

    private PeerProcess() {
    }

    static String run(Class<?> main, List<String> args) throws IOException, InterruptedException {
        Path lib = NativeLibrary.resolve();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dde.kherud.llama.lib.path=" + lib.getParent(), "--enable-native-access=ALL-UNNAMED",
                "-cp", OverheadBench.peerClassPath(), main.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(OverheadBench.RESULT_PREFIX)) result = line.substring(OverheadBench.RESULT_PREFIX.length());
                else if (log.length() < 20_000) log.append(line).append('\n');
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) p.destroyForcibly();
        if (result == null) throw new IOException("the llama.cpp peer printed no result:\n" + log);
        return result.trim();
    }
}
