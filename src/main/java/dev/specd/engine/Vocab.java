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
