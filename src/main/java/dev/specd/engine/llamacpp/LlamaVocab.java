package dev.specd.engine.llamacpp;

import dev.specd.engine.EngineException;
import dev.specd.engine.Vocab;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The vocabulary of a loaded model. Pieces of all tokens are read once at load: they are asked
 * for on every generated token, and a table lookup is cheaper than a native call.
 */
final class LlamaVocab implements Vocab {

    private static final String[] TYPES = {"none", "spm", "bpe", "wpm", "ugm", "rwkv"};

    private final MemorySegment vocab;
    /** Guards the calls made from request threads against the model being freed under them. */
    private final NativeUses uses;
    private final int size;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private final String type;
    private final byte[][] pieces;
    private final byte[][] specialPieces;
    private final boolean[] eog;
    private final boolean[] control;
    private final int maxTokenBytes;
    private final PiecewiseTokenizer piecewise;

    LlamaVocab(MemorySegment vocab, NativeUses uses) {
        this.vocab = vocab;
        this.uses = uses;
        try {
            this.size = (int) LlamaApi.vocab_n_tokens.invokeExact(vocab);
            this.bos = (int) LlamaApi.vocab_bos.invokeExact(vocab);
            this.eos = (int) LlamaApi.vocab_eos.invokeExact(vocab);
            this.addBos = (boolean) LlamaApi.vocab_get_add_bos.invokeExact(vocab);
            int t = (int) LlamaApi.vocab_type.invokeExact(vocab);
            this.type = t >= 0 && t < TYPES.length ? TYPES[t] : "type" + t;
            this.pieces = new byte[size][];
            this.specialPieces = new byte[size][];
            this.eog = new boolean[size];
            this.control = new boolean[size];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(256);
                for (int token = 0; token < size; token++) {
                    pieces[token] = piece(buf, token, false);
                    specialPieces[token] = piece(buf, token, true);
                    eog[token] = (boolean) LlamaApi.vocab_is_eog.invokeExact(vocab, token);
                    control[token] = (boolean) LlamaApi.vocab_is_control.invokeExact(vocab, token);
                }
            }
            this.maxTokenBytes = maxTokenBytes(type, specialPieces);
            this.piecewise = new PiecewiseTokenizer(this::tokenize, this);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("reading the vocabulary failed: " + t, t);
        }
    }

    /**
     * SPM and BPE tokens cover exactly the input bytes their pieces render (special tokens
     * included, rendered as written); an unknown character becomes one token of up to 4 bytes. The
     * other tokenizers normalise their input first: no bound.
     */
    private static int maxTokenBytes(String type, byte[][] pieces) {
        if (!type.equals("spm") && !type.equals("bpe")) return 0;
        int max = 4;
        for (byte[] p : pieces) max = Math.max(max, p.length);
        return max;
    }

    private byte[] piece(MemorySegment buf, int token, boolean special) throws Throwable {
        int n = (int) LlamaApi.token_to_piece.invokeExact(vocab, token, buf, (int) buf.byteSize(), 0, special);
        if (n < 0) {
            throw new EngineException("llama_token_to_piece(" + token + ") needs " + (-n) + " bytes, more than "
                    + buf.byteSize());
        }
        return buf.asSlice(0, n).toArray(JAVA_BYTE);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token >= 0 && token < size && eog[token];
    }

    @Override
    public boolean isControl(int token) {
        return token >= 0 && token < size && control[token];
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        uses.enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment textSeg = arena.allocate(utf8.length + 1L);
            MemorySegment.copy(utf8, 0, textSeg, JAVA_BYTE, 0, utf8.length);
            // A token covers at least one byte, plus BOS/EOS: this capacity always suffices.
            int capacity = utf8.length + 2;
            MemorySegment out = arena.allocate(JAVA_INT, capacity);
            int n = (int) LlamaApi.tokenize.invokeExact(vocab, textSeg, utf8.length, out, capacity, addSpecial,
                    parseSpecial);
            if (n < 0) {
                throw new EngineException("llama_tokenize needs " + (-n) + " tokens for " + utf8.length + " bytes");
            }
            return out.asSlice(0, (long) n * Integer.BYTES).toArray(JAVA_INT);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("llama_tokenize failed: " + t, t);
        } finally {
            uses.exit();
        }
    }

    /** In pieces: see {@link PiecewiseTokenizer} for where the tokens can differ from one call's. */
    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial, CancelCheck check) {
        return piecewise.tokenize(text, addSpecial, parseSpecial, check);
    }

    @Override
    public int maxTokenBytes() {
        return maxTokenBytes;
    }

    /** llama.cpp's own detokeniser: it also drops the space an SPM tokenizer put before the text. */
    @Override
    public String detokenize(int[] tokens, boolean renderSpecial) {
        uses.enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(JAVA_INT, tokens);
            int capacity = 16 + tokens.length * 8;
            MemorySegment out = arena.allocate(capacity);
            int n = (int) LlamaApi.detokenize.invokeExact(vocab, in, tokens.length, out, capacity, !renderSpecial,
                    renderSpecial);
            if (n < 0) {
                capacity = -n;
                out = arena.allocate(capacity);
                n = (int) LlamaApi.detokenize.invokeExact(vocab, in, tokens.length, out, capacity, !renderSpecial,
                        renderSpecial);
            }
            if (n < 0) throw new EngineException("llama_detokenize failed: " + n);
            return new String(out.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("llama_detokenize failed: " + t, t);
        } finally {
            uses.exit();
        }
    }

    @Override
    public byte[] pieceBytes(int token, boolean renderSpecial) {
        if (token < 0 || token >= size) throw new IllegalArgumentException("token " + token + " outside vocabulary");
        return (renderSpecial ? specialPieces[token] : pieces[token]).clone();
    }

    @Override
    public String tokenText(int token) {
        if (token < 0 || token >= size) throw new IllegalArgumentException("token " + token + " outside vocabulary");
        uses.enter();
        try {
            return LlamaApi.cString((MemorySegment) LlamaApi.vocab_get_text.invokeExact(vocab, token));
        } catch (Throwable t) {
            throw new EngineException("llama_vocab_get_text failed: " + t, t);
        } finally {
            uses.exit();
        }
    }
}
