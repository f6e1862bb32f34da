package dev.specd.engine;

import java.util.List;

/**
 * Pooled sentence embeddings from a model (a context of its own, opened with embeddings on): one
 * vector per input, L2-normalised as OpenAI's embeddings are. Thread-safe: calls are serialised.
 */
public interface Embedder extends AutoCloseable {

    /** Length of each vector (the model's embedding width). */
    int dimensions();

    /** Most tokens one input may have. */
    int maxTokens();

    /** One normalised vector per input, in order; each input is a non-empty token list of at most {@link #maxTokens()}. */
    List<float[]> embed(List<int[]> inputs);

    @Override
    void close();
}
