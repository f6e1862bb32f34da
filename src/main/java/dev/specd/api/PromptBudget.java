package dev.specd.api;

import dev.specd.engine.Vocab;

import java.util.function.BooleanSupplier;

/**
 * One request's prompt limits, checked before and while it is tokenised, so that an oversized or
 * pathological prompt costs next to nothing:
 * <ol>
 * <li>its UTF-8 bytes against {@code specd.limits.max-prompt-bytes}, and — where the vocabulary
 *     bounds the bytes one token covers ({@link Vocab#maxTokenBytes()}) — against the token limit
 *     times that bound: a prompt of n bytes has at least n / maxTokenBytes tokens, so a longer one
 *     cannot fit and is refused before tokenising;
 * <li>tokenising in pieces, stopped when {@code specd.limits.tokenize-timeout} has passed since
 *     the request began or its client has gone, and yielding between pieces (requests run on
 *     virtual threads, which a long native call would otherwise keep from the others);
 * <li>its tokens against the token limit: {@code specd.limits.max-prompt-tokens} and the
 *     pipeline's sequence budget less one token to generate.
 * </ol>
 * Every refusal is a 400 naming the prompt's parameter.
 */
final class PromptBudget {

    private final Vocab vocab;
    private final int maxTokens;
    private final String tokenLimitReason;
    private final long maxBytes;
    private final long deadlineNanos;
    private final BooleanSupplier clientGone;

    PromptBudget(Vocab vocab, int maxTokens, String tokenLimitReason, long maxBytes, long deadlineNanos,
                 BooleanSupplier clientGone) {
        this.vocab = vocab;
        this.maxTokens = maxTokens;
        this.tokenLimitReason = tokenLimitReason;
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
        this.clientGone = clientGone;
    }

    Vocab vocab() {
        return vocab;
    }

    /** Checks the size, tokenises with BOS/EOS and special tokens parsed, checks the tokens. */
    int[] tokenize(String text, String param) {
        return tokenize(text, param, true);
    }

    /** @param addSpecial add BOS/EOS as the model wants (false for a rendered template that wrote its own BOS) */
    int[] tokenize(String text, String param, boolean addSpecial) {
        return tokenize(text, param, addSpecial, true);
    }

    /** @param parseSpecial turn special-token text into special tokens (not for embedding inputs) */
    int[] tokenize(String text, String param, boolean addSpecial, boolean parseSpecial) {
        checkBytes(utf8Length(text), param);
        int[] tokens = vocab.tokenize(text, addSpecial, parseSpecial, () -> checkTime(param));
        checkTokens(tokens.length, param);
        return tokens;
    }

    /** Refuses a prompt of {@code bytes} UTF-8 bytes that is too large to be worth tokenising. */
    void checkBytes(long bytes, String param) {
        if (bytes > maxBytes) {
            throw ApiException.invalid(param, "The prompt is " + bytes + " bytes; this server accepts at most "
                    + maxBytes + " bytes");
        }
        int perToken = vocab.maxTokenBytes();
        if (perToken > 0) {
            long atLeast = (bytes + perToken - 1) / perToken;
            if (atLeast > maxTokens) {
                throw ApiException.invalid(param, tokenLimitReason + ", but the prompt has at least " + atLeast
                        + " tokens (" + bytes + " bytes, a token covers at most " + perToken + ")");
            }
        }
    }

    void checkTokens(int tokens, String param) {
        if (tokens > maxTokens) {
            throw ApiException.invalid(param, tokenLimitReason + ", but the prompt has " + tokens + " tokens");
        }
    }

    private void checkTime(String param) {
        if (clientGone.getAsBoolean()) throw ApiException.clientGone();
        if (System.nanoTime() - deadlineNanos > 0) {
            throw ApiException.invalid(param, "Tokenising the prompt took too long; shorten it");
        }
        Thread.yield();
    }

    /** The UTF-8 length of {@code s} as {@code getBytes(UTF_8)} encodes it (a lone surrogate: one '?'), without encoding it. */
    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return n;
    }
}
