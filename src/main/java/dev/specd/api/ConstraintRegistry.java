package dev.specd.api;

import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenSpace;
import dev.specd.engine.Vocab;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Constraints} per served vocabulary: the vocabulary's token trie is built on the first
 * constrained request (a few hundred milliseconds at 32k tokens) and kept, with the compiled
 * constraints its requests ask for. Keyed by identity: pipelines on one model share it.
 */
@ApplicationScoped
public class ConstraintRegistry {

    private final Map<Vocab, Constraints> byVocab = new ConcurrentHashMap<>();

    Constraints of(Vocab vocab) {
        return byVocab.computeIfAbsent(vocab, v -> new Constraints(TokenSpace.of(v)));
    }
}
