package dev.specd.api;

import dev.specd.engine.Utf8StreamDecoder;
import dev.specd.engine.Vocab;
import dev.specd.sampling.Logprobs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives one choice's log-probabilities their texts: token ids become the token's piece as text and
 * its raw bytes, and each token gets its offset in the choice's text. Stateful — the offset runs
 * across the chunks of a stream — so there is one per choice.
 */
final class TokenLogprobs {

    /**
     * A token as OpenAI shows it.
     *
     * @param text the piece as UTF-8 text; a piece that is not valid UTF-8 on its own (part of a
     *             character) is written as OpenAI does, {@code bytes:\xe2\x80}
     * @param bytes the piece's raw bytes, 0..255
     */
    record Token(String text, int[] bytes, double logprob) {
    }

    /** @param textOffset where the token's text starts in the choice's text, in code points (as Python counts) */
    record Entry(Token chosen, List<Token> top, int textOffset) {
    }

    private final Vocab vocab;
    /** Decodes the choice's pieces in order, as the generation's own text is decoded, for the offsets. */
    private final Utf8StreamDecoder text = new Utf8StreamDecoder();
    private int offset;
    /** Reused for every piece: a decoder per token and alternative would be up to 21 per token. */
    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    TokenLogprobs(Vocab vocab) {
        this.vocab = vocab;
    }

    List<Entry> entries(List<Logprobs.Position> positions) {
        List<Entry> out = new ArrayList<>(positions.size());
        for (Logprobs.Position p : positions) {
            byte[] piece = vocab.pieceBytes(p.chosen().token(), false);
            Token chosen = token(piece, p.chosen().logprob());
            List<Token> top = new ArrayList<>(p.top().size());
            for (Logprobs.Entry e : p.top()) {
                // A draft model's alternatives may lie past the target's vocabulary (its own extra tokens).
                if (e.token() < vocab.size()) top.add(token(vocab.pieceBytes(e.token(), false), e.logprob()));
            }
            out.add(new Entry(chosen, top, offset));
            String released = text.append(piece);
            offset += released.codePointCount(0, released.length());
        }
        return out;
    }

    private Token token(byte[] piece, double logprob) {
        int[] bytes = new int[piece.length];
        for (int i = 0; i < piece.length; i++) bytes[i] = piece[i] & 0xFF;
        return new Token(text(piece), bytes, logprob);
    }

    /** The piece as text when it is whole UTF-8, else its bytes spelled out (as llama.cpp's server does). */
    private String text(byte[] piece) {
        try {
            return strict.reset().decode(ByteBuffer.wrap(piece)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder s = new StringBuilder("bytes:");
            for (byte b : piece) s.append("\\x").append(String.format("%02x", b & 0xFF));
            return s.toString();
        }
    }
}
