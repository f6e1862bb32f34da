package dev.specd.engine.llamacpp;

import org.jboss.logging.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Routes llama.cpp's log lines into the application log (category {@value #CATEGORY}).
 * llama.cpp logs through one process-wide callback and often sends a line in several pieces
 * (level CONT), so pieces are joined per thread until a newline. Its INFO chatter (dozens of lines
 * per model load) goes to DEBUG; warnings and errors keep their level. The last error line of each
 * thread is kept so that a failed call can say why it failed.
 */
final class LlamaLog {

    static final String CATEGORY = "llama.cpp";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    // ggml_log_level
    private static final int DEBUG = 1;
    private static final int INFO = 2;
    private static final int WARN = 3;
    private static final int ERROR = 4;
    private static final int CONT = 5;

    /** Per-thread partial line and its level: native threads log concurrently. */
    private static final ThreadLocal<StringBuilder> PENDING = ThreadLocal.withInitial(StringBuilder::new);
    private static final ThreadLocal<int[]> PENDING_LEVEL = ThreadLocal.withInitial(() -> new int[] {INFO});
    private static final ThreadLocal<List<String>> ERRORS = ThreadLocal.withInitial(ArrayList::new);

    private LlamaLog() {
    }

    static void install() throws Throwable {
        var handle = MethodHandles.lookup().findStatic(LlamaLog.class, "onLog",
                MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
        // The stub must outlive every native thread that may log: it lives in the global arena.
        MemorySegment stub = LlamaApi.linker().upcallStub(handle,
                FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
        LlamaApi.log_set.invokeExact(stub, MemorySegment.NULL);
    }

    /** Returns and forgets the errors llama.cpp logged on this thread (joined), or null if none. */
    static String takeLastError() {
        List<String> errors = ERRORS.get();
        ERRORS.remove();
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    /** Forgets earlier errors before a call whose failure we want to explain. */
    static void clearLastError() {
        ERRORS.remove();
    }

    @SuppressWarnings("unused") // called from native code
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            String piece = LlamaApi.cString(text);
            if (piece == null) return;
            StringBuilder line = PENDING.get();
            if (level != CONT) PENDING_LEVEL.get()[0] = level;
            line.append(piece);
            int newline;
            while ((newline = line.indexOf("\n")) >= 0) {
                emit(PENDING_LEVEL.get()[0], line.substring(0, newline));
                line.delete(0, newline + 1);
            }
        } catch (Throwable t) {
            // An exception must never unwind into native code: that would crash the JVM.
        }
    }

    private static void emit(int level, String line) {
        if (line.isBlank()) return;
        switch (level) {
            case ERROR -> {
                List<String> errors = ERRORS.get();
                if (errors.size() < 8) errors.add(line.strip());
                LOG.error(line);
            }
            case WARN -> LOG.warn(line);
            case DEBUG -> LOG.trace(line);
            default -> LOG.debug(line);
        }
    }
}
