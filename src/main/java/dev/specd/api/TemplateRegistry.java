package dev.specd.api;

import dev.specd.chat.ChatTemplate;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.Vocab;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Each served model's own Jinja chat template, parsed once; empty for a model without one. */
@ApplicationScoped
public class TemplateRegistry {

    private final Map<ModelBackend, Optional<ChatTemplate>> templates = new ConcurrentHashMap<>();

    Optional<ChatTemplate> of(ModelBackend model) {
        return templates.computeIfAbsent(model, m -> m.info().chatTemplate().map(source -> {
            Vocab v = m.vocab();
            String bos = v.bos() >= 0 ? v.tokenText(v.bos()) : "";
            String eos = v.eos() >= 0 ? v.tokenText(v.eos()) : "";
            return new ChatTemplate(source, bos, eos);
        }));
    }
}
