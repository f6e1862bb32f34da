package dev.specd.engine;

/**
 * A loaded model: weights, metadata and vocabulary. Contexts (KV caches) are opened from it;
 * several contexts may share one backend. Closing the backend frees the weights, so every context
 * opened from it must be closed first.
 */
public interface ModelBackend extends AutoCloseable {

    ModelInfo info();

    Vocab vocab();

    /** Renders chat messages into a prompt with the model's template, or the documented fallback. */
    String applyChatTemplate(java.util.List<ChatMessage> messages, boolean addAssistantPrompt);

    /**
     * Opens an embedding context: pooled hidden states (the model's own pooling when its file names
     * one, else the last token's) of inputs of up to {@code maxTokens} tokens.
     */
    default Embedder newEmbedder(int maxTokens, int threads) {
        throw new EngineException("this model backend serves no embeddings");
    }

    /** Opens a KV cache shared by up to {@code options.maxSequences()} sequences. */
    ModelContext newContext(ContextOptions options);

    @Override
    void close();
}
