package dev.specd.engine;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The vocabulary of the tests' fake models: {@code size} tokens, 1 = BOS, 2 = EOS (the only end of
 * generation), 0..2 control; each token's piece comes from {@code piece} (its text is the piece without
 * surrounding spaces), and tokenising is whatever the fake needs.
 */
public final class SmallVocab implements Vocab {

    /** How a fake tokenises text. */
    public interface Tokenizer {
        int[] tokenize(String text);
    }

    private final String type;
    private final int size;
    private final Function<Integer, String> piece;
    private final Tokenizer tokenizer;

    public SmallVocab(String type, int size, Function<Integer, String> piece, Tokenizer tokenizer) {
        this.type = type;
        this.size = size;
        this.piece = piece;
        this.tokenizer = tokenizer;
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
        return 1;
    }

    @Override
    public int eos() {
        return 2;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token == 2;
    }

    @Override
    public boolean isControl(int token) {
        return token < 3;
    }

    @Override
    public boolean addsBos() {
        return true;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        return tokenizer.tokenize(text);
    }

    @Override
    public byte[] pieceBytes(int token, boolean renderSpecial) {
        return piece.apply(token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String tokenText(int token) {
        return piece.apply(token).strip();
    }
}
