package dev.specd.engine.llamacpp;

import dev.specd.engine.EngineException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for the llama.cpp b4916 C API. Signatures follow llama.h of that commit:
 * {@code llama_token}, {@code llama_pos} and {@code llama_seq_id} are int32; {@code size_t} and
 * {@code uint64_t} are mapped to long. The library is opened and the backend initialised once, when
 * this class is first used; the process keeps both until exit.
 */
final class LlamaApi {

    private LlamaApi() {
    }


    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = NativeLibrary.open();

    static final MethodHandle backend_init = fn("llama_backend_init", FunctionDescriptor.ofVoid());
    static final MethodHandle print_system_info = fn("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle log_set = fn("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));

    static final MethodHandle model_default_params =
            fn("llama_model_default_params", FunctionDescriptor.of(LlamaStructs.MODEL_PARAMS));
    static final MethodHandle context_default_params =
            fn("llama_context_default_params", FunctionDescriptor.of(LlamaStructs.CONTEXT_PARAMS));
    static final MethodHandle model_load_from_file = fn("llama_model_load_from_file",
            FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaStructs.MODEL_PARAMS));
    static final MethodHandle model_free = fn("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle init_from_model = fn("llama_init_from_model",
            FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaStructs.CONTEXT_PARAMS));
    static final MethodHandle free = fn("llama_free", FunctionDescriptor.ofVoid(ADDRESS));

    static final MethodHandle model_get_vocab = fn("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle model_n_params = fn("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    static final MethodHandle model_size = fn("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    static final MethodHandle model_n_ctx_train = fn("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle model_n_embd = fn("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle model_n_layer = fn("llama_model_n_layer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle model_desc = fn("llama_model_desc",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle model_meta_val_str = fn("llama_model_meta_val_str",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle model_chat_template = fn("llama_model_chat_template",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle chat_apply_template = fn("llama_chat_apply_template",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));

    static final MethodHandle vocab_n_tokens = fn("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle vocab_type = fn("llama_vocab_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle vocab_bos = fn("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle vocab_eos = fn("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle vocab_is_eog = fn("llama_vocab_is_eog",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    static final MethodHandle vocab_is_control = fn("llama_vocab_is_control",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    static final MethodHandle vocab_get_add_bos = fn("llama_vocab_get_add_bos",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    static final MethodHandle vocab_get_text = fn("llama_vocab_get_text",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle tokenize = fn("llama_tokenize", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
    static final MethodHandle detokenize = fn("llama_detokenize", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
    static final MethodHandle token_to_piece = fn("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));

    static final MethodHandle decode = fn("llama_decode",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, LlamaStructs.BATCH));
    static final MethodHandle get_logits_ith = fn("llama_get_logits_ith",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle get_embeddings_seq = fn("llama_get_embeddings_seq",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle pooling_type = fn("llama_pooling_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle n_ctx = fn("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle set_n_threads = fn("llama_set_n_threads",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));

    static final MethodHandle kv_self_seq_rm = fn("llama_kv_self_seq_rm",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle kv_self_seq_cp = fn("llama_kv_self_seq_cp",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle kv_self_seq_pos_max = fn("llama_kv_self_seq_pos_max",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle kv_self_used_cells = fn("llama_kv_self_used_cells",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle kv_self_clear = fn("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle kv_self_defrag = fn("llama_kv_self_defrag", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle kv_self_update = fn("llama_kv_self_update", FunctionDescriptor.ofVoid(ADDRESS));

    static {
        try {
            // Route native log lines before the backend prints its first ones.
            LlamaLog.install();
            backend_init.invokeExact();
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LIB.find(name).orElseThrow(() -> new EngineException(
                "llama.cpp library lacks symbol " + name + " (is it llama.cpp b4916?)"));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    static Linker linker() {
        return LINKER;
    }

    /** Reads a NUL-terminated C string, or null for a NULL pointer. */
    static String cString(MemorySegment pointer) {
        if (pointer == null || pointer.equals(MemorySegment.NULL)) return null;
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    static long sizeOf(MemoryLayout layout) {
        return layout.byteSize();
    }
}
