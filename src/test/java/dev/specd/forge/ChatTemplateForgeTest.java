package dev.specd.forge;

import dev.specd.TestModels;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.llamacpp.LlamaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code forge template}: a model carrying a real chat template in its metadata, tensors unchanged. */
class ChatTemplateForgeTest {

    static final Path QWEN = Path.of("../shared/templates/Qwen-Qwen2.5-7B-Instruct.jinja");

    @TempDir
    Path dir;

    @Test
    void theTemplateIsStoredAndLlamaCppReadsIt() throws Exception {
        ForgeResult r = Forge.withChatTemplate(TestModels.stories260K(), dir.resolve("qwen.gguf"), QWEN);
        try (LlamaBackend m = LlamaBackend.load(r.path(), LoadOptions.DEFAULT)) {
            assertEquals(Files.readString(QWEN), m.info().chatTemplate().orElseThrow());
            assertEquals(512, m.vocab().size());
        }
        assertEquals(Forge.parameterCount(TestModels.stories260K()), r.parameters());
        // The recipe form (pipelines, the model cache) writes the same bytes.
        ForgeResult viaRecipe = Forge.forge("template", TestModels.stories260K(), Map.of("file", QWEN.toString()),
                dir.resolve("again.gguf"));
        assertEquals(r.sha256(), viaRecipe.sha256());
    }

    @Test
    void theCommandLineWritesIt() {
        StringWriter out = new StringWriter();
        int code = ForgeCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "template", "--source",
                TestModels.stories260K().toString(), "--out", dir.resolve("cli.gguf").toString(), "--chat-template",
                QWEN.toString());
        assertEquals(0, code);
        assertTrue(out.toString().contains("wrote"), out.toString());
    }
}
