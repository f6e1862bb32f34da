package dev.specd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code specd plan}: compiles a spec file or an embedded pipeline and prints the plan, or the spec's mistake. */
class PlanCommandTest {

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    /** Runs the command with System.out and System.err captured. */
    static Outcome plan(String arg) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = PlanCommand.run(arg);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsTheCascadePlanOfAFile() {
        Outcome o = plan("config/pipelines/stories-cascade.yaml");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("plan stories-cascade  (from config/pipelines/stories-cascade.yaml)"), o.out());
        assertTrue(o.out().contains("cascade"), o.out());
        assertTrue(o.out().contains("mode        cascade (max_prob >= 0.7, rollback 0.0, at most 32 unverified)"),
                o.out());
        assertTrue(o.out().contains("pass"), o.out());
        for (String pass : new String[] {"fold-defaults", "drop-unusable-drafters", "check-mode",
                "reduce-to-target-only", "verify-shape"}) {
            assertTrue(o.out().contains("pass        " + pass + ": "), pass + " in " + o.out());
        }
        assertTrue(o.out().contains("drafter     model"), o.out());
        assertTrue(o.out().contains("k           8 (verify batch: 9 rows per sequence)"), o.out());
        assertTrue(o.err().isEmpty(), o.err());
    }

    @Test
    void aBrokenSpecExitsWithOneNamingTheFileAndField() throws IOException {
        String yaml = Files.readString(Path.of("config/pipelines/stories.yaml"));
        assertTrue(yaml.contains("  k: 8\n"), "the shipped spec sets k 8");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, yaml.replace("  k: 8\n", "  k: 99\n"));
        Outcome o = plan(broken.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.err().startsWith("error: "), o.err());
        assertTrue(o.err().contains(broken.toString()), o.err());
        assertTrue(o.err().contains("speculation.k"), o.err());
        assertTrue(o.err().contains("99"), o.err());
        assertFalse(o.out().contains("plan "), "no plan is printed: " + o.out());
    }

    @Test
    void aSpecThatFailsInTheCompilerNamesTheFileToo() throws IOException {
        // parses, but cascade needs a model drafter: the compiler's check-mode pass rejects it
        String yaml = Files.readString(Path.of("config/pipelines/stories-lookup.yaml"));
        Path broken = dir.resolve("lookup-cascade.yaml");
        Files.writeString(broken, yaml.replace("  mode: lossless\n", "  mode: cascade\n"));
        Outcome o = plan(broken.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.err().contains(broken.toString()), o.err());
        assertTrue(o.err().contains("speculation.mode"), o.err());
    }

    @Test
    void printsAnEmbeddedPipelineByName() {
        Outcome o = plan("stories-target");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("plan stories-target  (from pipelines/stories-target.yaml)"), o.out());
        assertTrue(o.out().contains("mode        off"), o.out());
        assertFalse(o.out().contains("verify batch"), o.out());
        assertTrue(o.out().contains("pass        reduce-to-target-only: target-only"), o.out());
    }

    @Test
    void anUnknownNameIsAnError() {
        Outcome o = plan("no-such-pipeline");
        assertEquals(1, o.code(), o.out());
        assertTrue(o.err().contains("no embedded pipeline named no-such-pipeline"), o.err());
    }
}
