package dev.specd.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns token pieces into text one token at a time without ever splitting a UTF-8 character.
 * Byte-fallback tokenizers emit a multi-byte character as several tokens (e.g. {@code <0xE2>},
 * {@code <0x80>}, {@code <0x99>}); the bytes of an unfinished character are held back until the
 * token that completes it arrives, so a stream never shows U+FFFD for a character that is whole.
 */
public final class Utf8StreamDecoder {

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** Adds a token's bytes and returns the text that is now complete (possibly empty). */
    public String append(byte[] bytes) {
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int complete = completePrefixLength(all);
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Ends the stream: whatever is held back is decoded, invalid bytes becoming U+FFFD. */
    public String flush() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /** Bytes held back waiting for the rest of a character. */
    public int pendingBytes() {
        return pending.size();
    }

    /**
     * Length of the longest prefix that does not end inside a character that may still be
     * completed. A trailing lead byte with fewer continuation bytes than it announces is held
     * back; anything else (including invalid bytes) is released at once.
     */
    static int completePrefixLength(byte[] b) {
        int n = b.length;
        // A UTF-8 character is at most 4 bytes: only the last 3 can belong to an unfinished one.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int lead = b[n - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for its lead
            }
            int need = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 1;
            if (lead >= 0xF5) need = 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
