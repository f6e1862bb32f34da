package dev.specd.engine.llamacpp;

import dev.specd.engine.ChatMessage;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.EngineException;
import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.ModelInfo;
import dev.specd.engine.Vocab;
import org.jboss.logging.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A GGUF model loaded by llama.cpp. */
public final class LlamaBackend implements ModelBackend {

    private final MemorySegment model;
    private final LlamaVocab vocab;
    private final ModelInfo info;
    private final Set<LlamaContext> contexts = ConcurrentHashMap.newKeySet();
    private final NativeUses uses;
    private volatile boolean closed;

    /** How long {@link #close()} waits for calls from request threads (a tokenisation) to return. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(LlamaBackend.class);

    private LlamaBackend(MemorySegment model, Path file) {
        this.model = model;
        this.uses = new NativeUses("model " + file);
        this.vocab = new LlamaVocab(call(() -> (MemorySegment) LlamaApi.model_get_vocab.invokeExact(model)), uses);
        this.info = readInfo(model, file, vocab.size());
    }

    /**
     * Loads a model file. Fails with a message naming the file: missing, unreadable, or rejected
     * by llama.cpp (with llama.cpp's own reason when it logged one).
     */
    public static LlamaBackend load(Path file, LoadOptions options) {
        if (!Files.isRegularFile(file)) {
            throw new EngineException("model file " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw new EngineException("model file " + file + " is not readable");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) LlamaApi.model_default_params.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            params.set(java.lang.foreign.ValueLayout.JAVA_INT, LlamaStructs.MP_N_GPU_LAYERS, options.gpuLayers());
            params.set(java.lang.foreign.ValueLayout.JAVA_BOOLEAN, LlamaStructs.MP_USE_MMAP, options.useMmap());
            LlamaLog.clearLastError();
            MemorySegment model = (MemorySegment) LlamaApi.model_load_from_file.invokeExact(
                    arena.allocateFrom(file.toAbsolutePath().toString()), params);
            if (model.equals(MemorySegment.NULL)) {
                String reason = LlamaLog.takeLastError();
                throw new EngineException("llama.cpp failed to load model file " + file
                        + (reason != null ? ": " + reason : ""));
            }
            return new LlamaBackend(model, file);
        } catch (EngineException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("loading model file " + file + " failed: " + t, t);
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Vocab vocab() {
        return vocab;
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrompt) {
        return ChatTemplates.apply(info.chatTemplate(), messages, addAssistantPrompt);
    }

    @Override
    public dev.specd.engine.Embedder newEmbedder(int maxTokens, int threads) {
        ensureOpen();
        return LlamaEmbedder.open(this, model, maxTokens, threads);
    }

    @Override
    public ModelContext newContext(ContextOptions options) {
        ensureOpen();
        LlamaContext context = LlamaContext.open(this, model, options);
        contexts.add(context);
        return context;
    }

    void contextClosed(LlamaContext context) {
        contexts.remove(context);
    }

    /**
     * Frees the model once no thread uses it: every context must be closed, and calls from request
     * threads still inside the vocabulary are waited for. If one does not return in time the model is
     * left allocated (a leak, logged) rather than freed under it, which would end the process.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        if (!contexts.isEmpty()) {
            throw new IllegalStateException(contexts.size() + " context(s) of " + info.file() + " are still open");
        }
        closed = true;
        if (!uses.closeAndAwait(CLOSE_WAIT)) {
            LOG.warnf("model %s is still used by %d native call(s) after %s; it is not freed", info.file(),
                    uses.inFlight(), CLOSE_WAIT);
            return;
        }
        call(() -> {
            LlamaApi.model_free.invokeExact(model);
            return null;
        });
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("model " + info.file() + " is closed");
    }

    private static ModelInfo readInfo(MemorySegment model, Path file, int vocabSize) {
        try (Arena arena = Arena.ofConfined()) {
            long params = (long) LlamaApi.model_n_params.invokeExact(model);
            long size = (long) LlamaApi.model_size.invokeExact(model);
            int ctxTrain = (int) LlamaApi.model_n_ctx_train.invokeExact(model);
            int embd = (int) LlamaApi.model_n_embd.invokeExact(model);
            int layers = (int) LlamaApi.model_n_layer.invokeExact(model);
            MemorySegment buf = arena.allocate(256);
            int n = (int) LlamaApi.model_desc.invokeExact(model, buf, 256L);
            String desc = n > 0 ? buf.getString(0) : "";
            String arch = metaString(model, arena, "general.architecture").orElse("unknown");
            MemorySegment tmpl = (MemorySegment) LlamaApi.model_chat_template.invokeExact(model, MemorySegment.NULL);
            Optional<String> template = Optional.ofNullable(LlamaApi.cString(tmpl)).filter(s -> !s.isBlank());
            return new ModelInfo(file, arch, desc, params, size, vocabSize, ctxTrain, embd, layers, template);
        } catch (Throwable t) {
            throw new EngineException("reading metadata of " + file + " failed: " + t, t);
        }
    }

    /** A metadata value as text (llama.cpp formats numbers and arrays too). */
    public Optional<String> metadata(String key) {
        try (Arena arena = Arena.ofConfined()) {
            return metaString(model, arena, key);
        }
    }

    private static Optional<String> metaString(MemorySegment model, Arena arena, String key) {
        try {
            MemorySegment k = arena.allocateFrom(key);
            MemorySegment buf = arena.allocate(512);
            int n = (int) LlamaApi.model_meta_val_str.invokeExact(model, k, buf, 512L);
            if (n < 0) return Optional.empty();
            if (n >= 512) {
                buf = arena.allocate(n + 1L);
                n = (int) LlamaApi.model_meta_val_str.invokeExact(model, k, buf, (long) n + 1);
            }
            return Optional.of(buf.getString(0));
        } catch (Throwable t) {
            throw new EngineException("llama_model_meta_val_str(" + key + ") failed: " + t, t);
        }
    }

    @FunctionalInterface
    interface NativeCall<T> {
        T run() throws Throwable;
    }

    /** Runs a native call, turning anything it throws into an EngineException. */
    static <T> T call(NativeCall<T> call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("native call failed: " + t, t);
        }
    }
}
