package dev.specd.forge;

import java.nio.file.Path;

/**
 * What a forge operation wrote.
 *
 * @param parameters weight values in the file (every tensor's element count)
 */
public record ForgeResult(Path path, long parameters, long bytes, String sha256) {

    public String summary() {
        return String.format(java.util.Locale.ROOT, "%s: %,d parameters, %,d bytes, sha256 %s", path, parameters, bytes, sha256);
    }
}
