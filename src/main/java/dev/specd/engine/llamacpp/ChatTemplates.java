package dev.specd.engine.llamacpp;

import dev.specd.engine.ChatMessage;
import dev.specd.engine.EngineException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Chat prompts through {@code llama_chat_apply_template}, which recognises llama.cpp's built-in
 * templates (chatml, llama2/3, mistral, gemma, phi, ...) from the Jinja text stored in a model.
 * <p>
 * Fallback, when a model has no template (stories260K) or one llama.cpp does not recognise: the
 * message contents are joined with blank lines, without role markers, and nothing is appended for
 * the assistant. A base model without a chat format then simply continues the conversation's
 * text, which is what it was trained to do; role markers it never saw would only derail it.
 * See docs/chat-templates.md.
 */
final class ChatTemplates {

    private ChatTemplates() {
    }

    static String apply(Optional<String> template, List<ChatMessage> messages, boolean addAssistant) {
        if (template.isPresent()) {
            Optional<String> rendered = applyNative(template.get(), messages, addAssistant);
            if (rendered.isPresent()) return rendered.get();
        }
        return fallback(messages);
    }

    static String fallback(List<ChatMessage> messages) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.content().isEmpty()) continue;
            if (!out.isEmpty()) out.append("\n\n");
            out.append(m.content());
        }
        return out.toString();
    }

    /** Empty when llama.cpp does not recognise the template (it returns a negative length). */
    static Optional<String> applyNative(String template, List<ChatMessage> messages, boolean addAssistant) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tmpl = arena.allocateFrom(template);
            MemorySegment chat = arena.allocate(LlamaStructs.CHAT_MESSAGE, Math.max(1, messages.size()));
            long total = 0;
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                MemorySegment entry = chat.asSlice(i * LlamaStructs.CHAT_MESSAGE.byteSize());
                entry.set(ADDRESS, 0, arena.allocateFrom(m.role()));
                entry.set(ADDRESS, ADDRESS.byteSize(), arena.allocateFrom(m.content()));
                total += m.role().length() + m.content().getBytes(StandardCharsets.UTF_8).length;
            }
            // llama.cpp suggests twice the characters of all messages; it returns the real need.
            int capacity = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(256, 2 * total + 256));
            MemorySegment buf = arena.allocate(capacity);
            int n = (int) LlamaApi.chat_apply_template.invokeExact(tmpl, chat, (long) messages.size(), addAssistant,
                    buf, capacity);
            if (n < 0) return Optional.empty();
            if (n > capacity) {
                buf = arena.allocate(n);
                n = (int) LlamaApi.chat_apply_template.invokeExact(tmpl, chat, (long) messages.size(), addAssistant,
                        buf, n);
            }
            return Optional.of(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("llama_chat_apply_template failed: " + t, t);
        }
    }
}
