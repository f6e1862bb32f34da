package dev.specd.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small vocabulary like a byte-fallback SentencePiece one: every byte as a token, some words and
 * JSON fragments that span grammar boundaries (so masks must look across them), an end token and a
 * control token, both without text.
 */
final class TestVocab {

    static final int EOS = 256;
    static final int CONTROL = 257;
    static final String[] WORDS = {"{\"", "\":", "\": \"", "\", \"", "\"}", "\"]", "true", "false", "null", " ", "  ",
            "\n", "\n  ", "name", "age", "Once", " upon", " a", " time", "12", "3.5", "-7", "e+1", "\"name\"", ", ",
            "[", "]", "{", "}", "},", "héllo", "ü", "\\n", "\\\"", "2024-", "01-", "31", "T12:", "00:00Z", "ab", "abc"};

    private TestVocab() {
    }

    static TokenSpace space() {
        List<byte[]> pieces = new ArrayList<>();
        for (int b = 0; b < 256; b++) pieces.add(new byte[] {(byte) b});
        pieces.add(new byte[0]); // EOS
        pieces.add(new byte[0]); // a control token
        for (String w : WORDS) pieces.add(w.getBytes(StandardCharsets.UTF_8));
        return new TokenSpace(pieces.toArray(byte[][]::new), new int[] {EOS});
    }
}
