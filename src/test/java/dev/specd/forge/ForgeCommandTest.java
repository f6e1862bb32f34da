package dev.specd.forge;

import dev.specd.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForgeCommandTest {

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ForgeCommand.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    static void assertReports(Outcome o, Path file) throws Exception {
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains(file.toString()), o.out());
        assertTrue(o.out().contains(Forge.sha256(file)), o.out());
        assertTrue(o.out().contains(String.format(java.util.Locale.ROOT, "%,d", Files.size(file))), o.out());
        assertTrue(o.out().contains(String.format(java.util.Locale.ROOT, "%,d", Forge.parameterCount(file))), o.out());
    }

    @Test
    void everySubcommandWritesAndReports() throws Exception {
        String src = TestModels.stories260K().toString();
        Path big = dir.resolve("big.gguf");
        assertReports(run("expand", "--source", src, "--out", big.toString(), "--embd", "128", "--ff", "256",
                "--layers", "6", "--epsilon", "0.02", "--seed", "42", "--type", "f16"), big);
        try (GgufFile f = GgufFile.open(big)) {
            assertEquals(GgmlType.F16, f.requireTensor("blk.0.ffn_up.weight").type());
            assertEquals(6, f.require("llama.block_count").asInt());
        }
        Path draft = dir.resolve("draft.gguf");
        assertReports(run("truncate", "--source", src, "--out", draft.toString(), "--layers", "3"), draft);
        Path q8 = dir.resolve("q8.gguf");
        assertReports(run("quantize", "--source", big.toString(), "--out", q8.toString(), "--type", "Q8_0"), q8);
        Path random = dir.resolve("random.gguf");
        assertReports(run("random", "--out", random.toString(), "--tokenizer", src, "--embd", "64", "--ff", "128",
                "--layers", "2", "--heads", "4", "--kv-heads", "2", "--type", "f32", "--vocab", "700"), random);
        Path grown = dir.resolve("grown.gguf");
        assertReports(run("vocab", "--source", src, "--out", grown.toString(), "--vocab", "2048"), grown);
        try (GgufFile f = GgufFile.open(grown)) {
            assertEquals(2048, f.requireTensor("output.weight").rows());
        }
        try (GgufFile f = GgufFile.open(random)) {
            assertEquals(700, f.requireTensor("token_embd.weight").rows());
        }
    }

    @Test
    void mistakesGiveANonZeroExitCodeAndAMessage() {
        Outcome missing = run("expand", "--source", "x.gguf");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("--out"), missing.err());

        Outcome badType = run("quantize", "--source", TestModels.stories260K().toString(),
                "--out", dir.resolve("q.gguf").toString(), "--type", "q3");
        assertNotEquals(0, badType.code());
        assertTrue(badType.err().contains("q3"), badType.err());

        Outcome noFile = run("truncate", "--source", dir.resolve("absent.gguf").toString(),
                "--out", dir.resolve("t.gguf").toString(), "--layers", "1");
        assertEquals(1, noFile.code());
        assertTrue(noFile.err().contains("absent.gguf"), noFile.err());

        assertNotEquals(0, run("melt").code());
    }

    @Test
    void helpListsTheSubcommands() {
        Outcome help = run("--help");
        assertEquals(0, help.code());
        for (String sub : new String[] {"expand", "truncate", "random", "quantize", "vocab"}) {
            assertTrue(help.out().contains(sub), help.out());
        }
    }
}
