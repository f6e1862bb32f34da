package dev.specd.engine.llamacpp;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.EngineException;
import dev.specd.engine.ModelContext;
import dev.specd.engine.PartialDecodeException;
import dev.specd.engine.Sequence;
import org.jboss.logging.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A llama.cpp context: one KV cache of {@code contextLength} cells shared by up to
 * {@code maxSequences} sequences. Decoding packs the steps of several sequences into one native
 * batch (split into one llama_decode call per ubatch).
 */
final class LlamaContext implements ModelContext {

    private static final Logger LOG = Logger.getLogger(LlamaContext.class);
    private static final int DEFRAG_PASSES = 8;

    /** Time inside llama_decode during the last {@link #decode}: a cost, without the host work around it. */
    private long computeNanos;

    private final LlamaBackend backend;
    private final MemorySegment ctx;
    private final ContextOptions options;
    private final int nVocab;
    private final LlamaSequence[] slots;
    private final NativeBatch batch;
    /** Rows handed out by {@link #decodeTransient}, reused by the next one. */
    private final List<float[]> rowPool = new ArrayList<>();
    /** Rows of the pool used by the decode in progress, or -1 when it copies into fresh arrays. */
    private int pooledRows = -1;
    /** The cells of the KV cache (n_ctx after llama.cpp's padding). */
    private final int cells;
    private boolean closed;

    private LlamaContext(LlamaBackend backend, MemorySegment ctx, ContextOptions options) {
        this.backend = backend;
        this.ctx = ctx;
        this.options = options;
        this.nVocab = backend.vocab().size();
        this.slots = new LlamaSequence[options.maxSequences()];
        // One ubatch per llama_decode: when a later ubatch of a call fails, b4916's restore removes
        // the earlier ones' cells by position in every sequence, other sequences' too.
        this.batch = new NativeBatch(ubatch(options));
        this.cells = LlamaBackend.call(() -> (int) LlamaApi.n_ctx.invokeExact(ctx));
    }

    private static int ubatch(ContextOptions options) {
        return Math.min(options.batchSize(), 512);
    }

    static LlamaContext open(LlamaBackend backend, MemorySegment model, ContextOptions options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = params(arena, options.contextLength(), options.batchSize(),
                    ubatch(options), options.maxSequences(), options.effectiveThreads());
            int kvType = options.f32KvCache() ? LlamaStructs.GGML_TYPE_F32 : LlamaStructs.GGML_TYPE_F16;
            p.set(JAVA_INT, LlamaStructs.CP_TYPE_K, kvType);
            p.set(JAVA_INT, LlamaStructs.CP_TYPE_V, kvType);
            p.set(JAVA_BOOLEAN, LlamaStructs.CP_NO_PERF, true);
            LlamaLog.clearLastError();
            MemorySegment ctx = (MemorySegment) LlamaApi.init_from_model.invokeExact(model, p);
            if (ctx.equals(MemorySegment.NULL)) {
                String reason = LlamaLog.takeLastError();
                throw new EngineException("llama.cpp failed to create a context (" + options + ") for "
                        + backend.info().file() + (reason != null ? ": " + reason : ""));
            }
            return new LlamaContext(backend, ctx, options);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("llama_init_from_model failed: " + t, t);
        }
    }

    /** Context parameters: llama.cpp's defaults with our sizes and threads. */
    static MemorySegment params(Arena arena, int nCtx, int nBatch, int nUbatch, int nSeqMax, int threads) throws Throwable {
        MemorySegment p = (MemorySegment) LlamaApi.context_default_params.invokeExact((SegmentAllocator) arena);
        p.set(JAVA_INT, LlamaStructs.CP_N_CTX, nCtx);
        p.set(JAVA_INT, LlamaStructs.CP_N_BATCH, nBatch);
        p.set(JAVA_INT, LlamaStructs.CP_N_UBATCH, nUbatch);
        p.set(JAVA_INT, LlamaStructs.CP_N_SEQ_MAX, nSeqMax);
        // llama.cpp defaults to 4 threads; on a 2-core machine that made a decode 5x slower.
        p.set(JAVA_INT, LlamaStructs.CP_N_THREADS, threads);
        p.set(JAVA_INT, LlamaStructs.CP_N_THREADS_BATCH, threads);
        return p;
    }

    @Override
    public int contextLength() {
        return options.contextLength();
    }

    @Override
    public int maxSequences() {
        return slots.length;
    }

    @Override
    public int openSequences() {
        int n = 0;
        for (LlamaSequence s : slots) if (s != null) n++;
        return n;
    }

    @Override
    public int usedCells() {
        ensureOpen();
        return LlamaBackend.call(() -> (int) LlamaApi.kv_self_used_cells.invokeExact(ctx));
    }

    @Override
    public Sequence openSequence() {
        ensureOpen();
        for (int id = 0; id < slots.length; id++) {
            if (slots[id] == null) {
                removeFrom(id, 0); // a slot is always handed out empty
                slots[id] = new LlamaSequence(this, id);
                return slots[id];
            }
        }
        throw new EngineException("all " + slots.length + " sequence slots of the context are in use");
    }

    /**
     * Decodes the steps in one batch. A failed llama_decode — in b4916 most often a KV cache too
     * fragmented to hold a ubatch in one contiguous run of cells, since rejected drafts leave holes —
     * is retried once after defragmenting the cache (when that is safe, see {@link #defragmentIfRoom});
     * if it fails again, each step is decoded alone, in smaller pieces where its tokens find no run of
     * cells together, so that only the steps that fail by themselves fail ({@link PartialDecodeException}).
     */
    @Override
    public List<float[][]> decode(List<DecodeStep> steps) {
        pooledRows = -1;
        return decodeSteps(steps);
    }

    @Override
    public List<float[][]> decodeTransient(List<DecodeStep> steps) {
        pooledRows = 0;
        return decodeSteps(steps);
    }

    private List<float[][]> decodeSteps(List<DecodeStep> steps) {
        computeNanos = 0;
        ensureOpen();
        Map<LlamaSequence, Boolean> seen = new IdentityHashMap<>();
        for (DecodeStep step : steps) {
            LlamaSequence seq = own(step.sequence());
            if (seen.put(seq, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("sequence " + seq.id() + " appears twice in one decode");
            }
        }
        EngineException first;
        try {
            return decodeTogether(steps);
        } catch (EngineException e) {
            first = e;
        }
        if (defragmentIfRoom()) {
            try {
                List<float[][]> out = decodeTogether(steps);
                LOG.debugf("a batch of %d steps went through after defragmenting the KV cache (%s)", steps.size(),
                        first.getMessage());
                return out;
            } catch (EngineException e) {
                first = e;
            }
        }
        if (steps.size() == 1 && steps.getFirst().tokens().length == 1) throw first;
        List<float[][]> results = new ArrayList<>(steps.size());
        Map<Integer, EngineException> failures = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            try {
                results.add(decodeInPieces(steps.get(i)));
            } catch (EngineException e) {
                results.add(null);
                failures.put(i, e);
            }
        }
        if (failures.isEmpty()) return results;
        if (steps.size() == 1) throw failures.get(0);
        throw new PartialDecodeException(results, failures);
    }

    /**
     * One step alone, halved (recursively) when its tokens find no contiguous run of free cells
     * together: a causal decode in pieces gives the same logits, and a fragmented cache still has runs
     * for the pieces. On failure the sequence is left as it was.
     */
    private float[][] decodeInPieces(DecodeStep step) {
        try {
            return decodeTogether(List.of(step)).getFirst();
        } catch (EngineException e) {
            int n = step.tokens().length;
            if (n == 1) throw e;
            Sequence seq = step.sequence();
            int start = seq.length();
            int half = n / 2;
            int[] t = step.tokens();
            float[][] head = decodeInPieces(new DecodeStep(seq, Arrays.copyOfRange(t, 0, half),
                    Math.min(step.logitsFrom(), half)));
            float[][] tail;
            try {
                tail = decodeInPieces(new DecodeStep(seq, Arrays.copyOfRange(t, half, n),
                        Math.max(0, step.logitsFrom() - half)));
            } catch (EngineException again) {
                seq.truncate(start);
                throw again;
            }
            float[][] rows = Arrays.copyOf(head, head.length + tail.length);
            System.arraycopy(tail, 0, rows, head.length, tail.length);
            return rows;
        }
    }

    /** One batch (chunked by the batch size) for all steps; on failure every sequence is left as it was. */
    private List<float[][]> decodeTogether(List<DecodeStep> steps) {
        int poolMark = pooledRows;
        List<float[][]> results = new ArrayList<>(steps.size());
        for (DecodeStep step : steps) results.add(new float[step.logitRows()][]);
        List<int[]> pending = new ArrayList<>(); // {step, row in result, row in batch}
        try {
            batch.clear();
            for (int s = 0; s < steps.size(); s++) {
                DecodeStep step = steps.get(s);
                LlamaSequence seq = (LlamaSequence) step.sequence();
                int[] tokens = step.tokens();
                for (int j = 0; j < tokens.length; j++) {
                    if (batch.size() == batch.capacity()) flush(pending, results);
                    boolean want = j >= step.logitsFrom();
                    int row = batch.add(tokens[j], seq.length() + j, seq.id(), want);
                    if (want) pending.add(new int[] {s, j - step.logitsFrom(), row});
                }
            }
            if (batch.size() > 0) flush(pending, results);
        } catch (RuntimeException e) {
            // Leave every sequence exactly as it was before this call.
            for (DecodeStep step : steps) removeFrom(step.sequence().id(), step.sequence().length());
            batch.clear();
            pooledRows = poolMark; // a retry reuses the rows this attempt copied into
            throw e instanceof EngineException ee ? ee : new EngineException(e.getMessage(), e);
        }
        for (DecodeStep step : steps) ((LlamaSequence) step.sequence()).advance(step.tokens().length);
        return results;
    }

    /**
     * Compacts the KV cache, if that is safe, and says whether it did. The first decode after a
     * defragmentation reserves llama.cpp's worst-case graph (one ubatch), and b4916 places that
     * graph's K/V store views at the cache head, which the defragmentation leaves at the number of used
     * cells: with less than a ubatch of cells above them the view runs past the cache and ggml aborts
     * the process (GGML_ASSERT in ggml_view; it took the test JVM down under concurrent streams). So it
     * compacts only with a ubatch of cells to spare; otherwise the steps go alone and in pieces.
     */
    boolean defragmentIfRoom() {
        ensureOpen();
        if (usedCells() + batch.capacity() > cells) return false;
        long t0 = System.nanoTime();
        LlamaBackend.call(() -> {
            // b4916 moves at most (8192 - 2 layers) / (6 layers) runs per pass, leaving the head past
            // cells it did not reach; further passes finish the job, and cost nothing once it is done.
            for (int pass = 0; pass < DEFRAG_PASSES; pass++) {
                LlamaApi.kv_self_defrag.invokeExact(ctx);
                LlamaApi.kv_self_update.invokeExact(ctx);
            }
            return null;
        });
        LOG.debugf("defragmented a KV cache of %d cells in %.2f ms", (Object) cells,
                (Object) ((System.nanoTime() - t0) / 1e6));
        return true;
    }

    /**
     * One llama_decode of what the batch holds. Not locked: the server makes every decode from one
     * thread (one driver for all engines), and decodes of different contexts from two threads at
     * once were measured to give the same logits as alone (two models, five repetitions).
     */
    private void flush(List<int[]> pending, List<float[][]> results) {
        long t0 = System.nanoTime();
        decodeNow(pending, results);
        computeNanos += System.nanoTime() - t0;
    }

    @Override
    public long lastDecodeNanos() {
        return computeNanos;
    }

    private void decodeNow(List<int[]> pending, List<float[][]> results) {
        int tokens = batch.size();
        int rc = LlamaBackend.call(() -> (int) LlamaApi.decode.invokeExact(ctx, batch.struct()));
        if (rc != 0) {
            String why = rc == 1 ? "no contiguous run of free KV cells for the batch (" + usedCells() + " of "
                    + options.contextLength() + " cells in use)" : rc == 2 ? "aborted" : "error " + rc;
            String reason = LlamaLog.takeLastError();
            throw new EngineException("llama_decode of " + tokens + " tokens failed: " + why
                    + (reason != null ? " (" + reason + ")" : ""));
        }
        for (int[] p : pending) {
            MemorySegment row = LlamaBackend.call(() -> (MemorySegment) LlamaApi.get_logits_ith.invokeExact(ctx, p[2]));
            if (row.equals(MemorySegment.NULL)) {
                throw new EngineException("llama_get_logits_ith(" + p[2] + ") returned no logits");
            }
            // Valid only until the next decode: copy out at once.
            MemorySegment values = row.reinterpret((long) nVocab * Float.BYTES);
            results.get(p[0])[p[1]] = pooledRows < 0 ? values.toArray(JAVA_FLOAT) : copyToPool(values);
        }
        pending.clear();
        batch.clear();
    }

    private float[] copyToPool(MemorySegment values) {
        if (pooledRows == rowPool.size()) rowPool.add(new float[nVocab]);
        float[] dst = rowPool.get(pooledRows++);
        MemorySegment.copy(values, JAVA_FLOAT, 0, dst, 0, nVocab);
        return dst;
    }

    private LlamaSequence own(Sequence sequence) {
        if (!(sequence instanceof LlamaSequence seq) || seq.context() != this || seq.isClosed()) {
            throw new IllegalArgumentException(sequence + " is not an open sequence of this context");
        }
        return seq;
    }

    void removeFrom(int seqId, int position) {
        LlamaBackend.call(() -> (boolean) LlamaApi.kv_self_seq_rm.invokeExact(ctx, seqId, position, -1));
    }

    void copy(int from, int to, int length) {
        removeFrom(to, 0);
        LlamaBackend.call(() -> {
            LlamaApi.kv_self_seq_cp.invokeExact(ctx, from, to, 0, length);
            return null;
        });
    }

    void release(LlamaSequence sequence) {
        if (closed) return;
        removeFrom(sequence.id(), 0);
        slots[sequence.id()] = null;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("context is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        for (LlamaSequence s : slots) if (s != null) s.close();
        closed = true;
        batch.close();
        LlamaBackend.call(() -> {
            LlamaApi.free.invokeExact(ctx);
            return null;
        });
        backend.contextClosed(this);
    }
}
