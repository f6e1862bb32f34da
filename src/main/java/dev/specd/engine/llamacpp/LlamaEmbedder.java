package dev.specd.engine.llamacpp;

import dev.specd.engine.Embedder;
import dev.specd.engine.EngineException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A llama.cpp context opened with {@code embeddings = true} and a pooling type: each input is
 * decoded alone as sequence 0 (the cache cleared before it), and {@code llama_get_embeddings_seq}
 * gives its pooled vector. Models whose file names a pooling type keep it; decoder-only models
 * (which name none) get last-token pooling — the last token has attended to the whole input, as
 * decoder-based embedding models (e5-mistral, gte-Qwen) use it. Mean pooling was measured to trip
 * {@code GGML_ASSERT(ggml_can_mul_mat(a, b))} in b4916 on llama-architecture models.
 */
final class LlamaEmbedder implements Embedder {

    private final MemorySegment ctx;
    private final NativeBatch batch;
    private final int dimensions;
    private final int maxTokens;
    private boolean closed;

    private LlamaEmbedder(MemorySegment ctx, int maxTokens, int dimensions) {
        this.ctx = ctx;
        this.maxTokens = maxTokens;
        this.dimensions = dimensions;
        this.batch = new NativeBatch(maxTokens);
    }

    static LlamaEmbedder open(LlamaBackend backend, MemorySegment model, int maxTokens, int threads) {
        boolean named = backend.metadata(backend.info().architecture() + ".pooling_type").isPresent();
        try (Arena arena = Arena.ofConfined()) {
            int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            // Pooling needs the whole input in one ubatch.
            MemorySegment p = LlamaContext.params(arena, maxTokens, maxTokens, maxTokens, 1, t);
            p.set(JAVA_INT, LlamaStructs.CP_POOLING_TYPE, named ? LlamaStructs.POOLING_UNSPECIFIED : LlamaStructs.POOLING_LAST);
            p.set(JAVA_BOOLEAN, LlamaStructs.CP_EMBEDDINGS, true);
            p.set(JAVA_BOOLEAN, LlamaStructs.CP_NO_PERF, true);
            MemorySegment ctx = (MemorySegment) LlamaApi.init_from_model.invokeExact(model, p);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new EngineException("llama.cpp failed to create an embedding context for " + backend.info().file());
            }
            return new LlamaEmbedder(ctx, maxTokens, backend.info().embeddingLength());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("opening an embedding context failed: " + t, t);
        }
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public synchronized List<float[]> embed(List<int[]> inputs) {
        if (closed) throw new IllegalStateException("embedder is closed");
        List<float[]> out = new ArrayList<>(inputs.size());
        for (int[] tokens : inputs) {
            if (tokens.length == 0 || tokens.length > maxTokens) {
                throw new IllegalArgumentException("an input must have 1.." + maxTokens + " tokens, got " + tokens.length);
            }
            out.add(normalised(one(tokens)));
        }
        return out;
    }

    /** Callers decode from the engine's driver thread (every decode of the server comes from it). */
    private float[] one(int[] tokens) {
        {
            LlamaBackend.call(() -> {
                LlamaApi.kv_self_clear.invokeExact(ctx);
                return null;
            });
            batch.clear();
            for (int i = 0; i < tokens.length; i++) batch.add(tokens[i], i, 0, true);
            int rc = LlamaBackend.call(() -> (int) LlamaApi.decode.invokeExact(ctx, batch.struct()));
            batch.clear();
            if (rc != 0) throw new EngineException("llama_decode for embeddings failed with " + rc);
            MemorySegment v = LlamaBackend.call(() -> (MemorySegment) LlamaApi.get_embeddings_seq.invokeExact(ctx, 0));
            if (v.equals(MemorySegment.NULL)) throw new EngineException("llama.cpp gave no pooled embedding");
            return v.reinterpret(4L * dimensions).toArray(JAVA_FLOAT);
        }
    }

    private static float[] normalised(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        double norm = Math.sqrt(sum);
        if (norm == 0) return v;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / norm);
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        batch.close();
        LlamaBackend.call(() -> {
            LlamaApi.free.invokeExact(ctx);
            return null;
        });
    }
}
