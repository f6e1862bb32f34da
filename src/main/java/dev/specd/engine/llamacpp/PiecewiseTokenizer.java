package dev.specd.engine.llamacpp;

import dev.specd.engine.Vocab;

import java.util.Arrays;

/**
 * Tokenises a long text in pieces of about {@value #PIECE_CHARS} characters, calling a
 * {@link Vocab.CancelCheck} between them: llama.cpp's tokenizer takes time that grows faster
 * than the text (160,000 CJK characters on a byte-fallback vocabulary: 9.5 s in one call), and a
 * native call can be neither timed out nor cancelled.
 *
 * <p>A piece ends before a space that sits between two letters or digits. There SPM (whose tokens
 * start with their word's space) and the BPE pre-tokenizers of llama.cpp (whose regexes start a
 * word at its space) split anyway, so the pieces' tokens are the one-shot tokens. llama.cpp adds
 * a space before each call's text on vocabularies with a space prefix: such a piece is passed
 * without its own space. BOS/EOS (whatever {@code add_special} adds, found by probing) are added
 * once around the whole.
 *
 * <p>Exceptions, where the tokens may differ from one call's: a run of more than
 * {@value #PIECE_CHARS} characters with no such space is cut at a character boundary (merges
 * across the cut are lost; with a space prefix, a space token the cut would add is dropped, but one
 * merged into the next token stays); and a cut just after a special or user-defined token written
 * as a word. Only SPM and BPE vocabularies are cut; others are tokenised in one call.
 */
final class PiecewiseTokenizer {

    static final int PIECE_CHARS = 2048;
    private static final byte[] SPACE = {' '};

    /** llama_tokenize: {@code (text, addSpecial, parseSpecial) -> tokens}. */
    @FunctionalInterface
    interface Raw {
        int[] tokenize(String text, boolean addSpecial, boolean parseSpecial);
    }

    private final Raw raw;
    private final boolean cut;
    private final int[] prefix;
    private final int[] suffix;
    private final boolean spacePrefix;
    private final Vocab vocab;

    PiecewiseTokenizer(Raw raw, Vocab vocab) {
        this.raw = raw;
        this.vocab = vocab;
        int[] plain = raw.tokenize("a", false, false);
        int[] special = raw.tokenize("a", true, false);
        int at = indexOf(special, plain);
        this.cut = at >= 0 && (vocab.type().equals("spm") || vocab.type().equals("bpe"));
        this.prefix = at >= 0 ? Arrays.copyOfRange(special, 0, at) : new int[0];
        this.suffix = at >= 0 ? Arrays.copyOfRange(special, at + plain.length, special.length) : new int[0];
        byte[] first = plain.length > 0 ? vocab.pieceBytes(plain[0], false) : new byte[0];
        this.spacePrefix = first.length > 0 && first[0] == ' ';
    }

    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial, Vocab.CancelCheck check) {
        check.check();
        if (!cut || text.length() <= PIECE_CHARS) return raw.tokenize(text, addSpecial, parseSpecial);
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial) out.add(prefix);
        int start = 0;
        boolean hard = false;
        while (start < text.length()) {
            if (start > 0) check.check();
            int end = end(text, start);
            boolean nextHard = end < text.length() && text.charAt(end) != ' ';
            String piece = text.substring(start, end);
            if (start == 0) {
                out.add(raw.tokenize(piece, false, parseSpecial));
            } else if (!hard) { // starts with the space it was cut before
                out.add(raw.tokenize(spacePrefix ? piece.substring(1) : piece, false, parseSpecial));
            } else {
                int[] tokens = raw.tokenize(piece, false, parseSpecial);
                // A hard cut is never at a space: a leading space token is the one llama.cpp added.
                boolean addedSpace = spacePrefix && tokens.length > 0
                        && Arrays.equals(vocab.pieceBytes(tokens[0], false), SPACE);
                out.add(addedSpace ? Arrays.copyOfRange(tokens, 1, tokens.length) : tokens);
            }
            hard = nextHard;
            start = end;
        }
        if (addSpecial) out.add(suffix);
        return out.toArray();
    }

    /**
     * Where the piece from {@code start} ends: before the last space between two letters or digits
     * within {@value #PIECE_CHARS} characters; else (a pathological run) at that length, never
     * between the halves of a surrogate pair.
     */
    static int end(String text, int start) {
        int limit = start + PIECE_CHARS;
        if (limit >= text.length()) return text.length();
        for (int i = limit; i > start + 1; i--) {
            if (text.charAt(i) == ' ' && Character.isLetterOrDigit(text.charAt(i - 1))
                    && i + 1 < text.length() && Character.isLetterOrDigit(text.charAt(i + 1))) {
                return i;
            }
        }
        return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
    }

    private static int indexOf(int[] outer, int[] inner) {
        for (int i = 0; i + inner.length <= outer.length; i++) {
            if (Arrays.equals(outer, i, i + inner.length, inner, 0, inner.length)) return i;
        }
        return -1;
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(16, capacity)];
        }

        void add(int[] more) {
            if (size + more.length > values.length) values = Arrays.copyOf(values, Math.max(2 * values.length,
                    size + more.length));
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
