package dev.specd.engine;

/** The tokenizer and special tokens of a model. */
public interface Vocab {

    int size();

    /** Tokenizer family as llama.cpp names it: spm, bpe, wpm, ugm, rwkv, none. */
    String type();

    int bos();

    int eos();

    /** True for every end-of-generation token (EOS, EOT, ...). */
    boolean isEndOfGeneration(int token);

    boolean isControl(int token);

    /** Whether the model expects a BOS token at the start of a prompt. */
    boolean addsBos();

    /**
     * @param addSpecial   add BOS (and EOS) as the model expects
     * @param parseSpecial turn special-token text such as {@code <s>} into the special token
     */
    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * Called between the pieces of a long tokenisation; throws (any runtime exception, passed on to
     * the caller) to stop it: a deadline passed, the client went away.
     */
    @FunctionalInterface
    interface CancelCheck {
        void check();
    }

    /**
     * {@link #tokenize(String, boolean, boolean)}, interruptible: a long text is tokenised in pieces
     * with {@code check} called between them, so that no single native call runs long. The tokens
     * are those of one call except where an implementation documents otherwise. By default: one
     * call, checked once before it.
     */
    default int[] tokenize(String text, boolean addSpecial, boolean parseSpecial, CancelCheck check) {
        check.check();
        return tokenize(text, addSpecial, parseSpecial);
    }

    /**
     * The most bytes of UTF-8 input one token can cover, so that a text of n bytes has at least
     * n / maxTokenBytes() tokens; 0 when no such bound holds (tokenizers that normalise text, e.g.
     * drop or collapse whitespace, can turn any number of bytes into one token).
     */
    default int maxTokenBytes() {
        return 0;
    }

    /** The raw bytes a token stands for; may be part of a multi-byte UTF-8 character. */
    byte[] pieceBytes(int token, boolean renderSpecial);

    /** The token's text in the vocabulary table (e.g. {@code ▁Once}), for compatibility checks. */
    String tokenText(int token);

    /** Whole-sequence detokenisation; use a {@link Utf8StreamDecoder} for token-by-token output. */
    default String detokenize(int[] tokens, boolean renderSpecial) {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        StringBuilder out = new StringBuilder();
        for (int token : tokens) {
            out.append(decoder.append(pieceBytes(token, renderSpecial)));
        }
        return out.append(decoder.flush()).toString();
    }
}
