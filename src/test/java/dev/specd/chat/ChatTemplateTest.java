package dev.specd.chat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real templates of shared/templates render a tools conversation exactly as Jinja2 does
 * (golden files reasoned from the templates: src/test/resources/chat/golden/README.md).
 */
class ChatTemplateTest {

    static final Path TEMPLATES = Path.of("../shared/templates");
    static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, List<Map<String, Object>>> conversation() throws Exception {
        return JSON.readValue(Files.readString(Path.of("src/test/resources/chat/tools-conversation.json")),
                new TypeReference<>() { });
    }

    static ChatTemplate template(String name) throws Exception {
        return new ChatTemplate(Files.readString(TEMPLATES.resolve(name + ".jinja")), "<s>", "</s>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Qwen-Qwen2.5-7B-Instruct", "NousResearch-Hermes-3-Llama-3.1-8B-tool_use",
            "meta-llama-Llama-3.1-8B-Instruct", "mistralai-Mistral-Nemo-Instruct-2407"})
    void rendersAToolsConversationAsJinja2Does(String name) throws Exception {
        var c = conversation();
        String golden = Files.readString(Path.of("src/test/resources/chat/golden", name + ".txt"));
        assertEquals(golden, template(name).render(c.get("messages"), c.get("tools"), true));
        assertTrue(template(name).supportsTools());
    }

    @Test
    void raiseExceptionRefusesTheConversation() throws Exception {
        List<Map<String, Object>> twoUsers = List.of(Map.of("role", "user", "content", "a"),
                Map.of("role", "user", "content", "b"));
        TemplateException e = assertThrows(TemplateException.class,
                () -> template("mistralai-Mistral-Nemo-Instruct-2407").render(twoUsers, null, true));
        assertTrue(e.getMessage().contains("alternate"), e.getMessage());
        assertEquals("messages", e.param());
    }

    @Test
    void withoutToolsQwenUsesItsDefaultSystemPrompt() throws Exception {
        String out = template("Qwen-Qwen2.5-7B-Instruct").render(
                new ArrayList<>(List.of(Map.of("role", "user", "content", "Hi"))), null, true);
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                + "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", out);
    }

    @Test
    void aTemplateWithoutToolsSaysSo() {
        assertFalse(new ChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}", "", "").supportsTools());
    }

    @Test
    void strftimeNowFormatsLikePython() {
        assertEquals("05 Mar 2024 07:08", ChatTemplate.Strftime.format("%d %b %Y %H:%M",
                java.time.LocalDateTime.of(2024, 3, 5, 7, 8)));
    }

    @Test
    void notBindsLooserThanTests() {
        assertEquals("not (x is defined) and not (y|length == 1)",
                JinjaCompat.condition("not x is defined and not y|length == 1"));
        assertEquals("x is not none and 'a' not in b", JinjaCompat.condition("x is not none and 'a' not in b"));
    }
}
