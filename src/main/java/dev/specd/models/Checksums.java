package dev.specd.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * SHA-256 of model files, remembered by (path, size, modification time) in a small index in the
 * cache directory: hashing a multi-gigabyte model at every start would cost seconds.
 */
public final class Checksums {

    private final Path index;

    public Checksums(Path cacheDir) {
        this.index = cacheDir.resolve("sha256-index.properties");
    }

    public synchronized String sha256(Path file) {
        try {
            Path abs = file.toAbsolutePath().normalize();
            String key = abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
            Properties known = load();
            String cached = known.getProperty(key);
            if (cached != null) return cached;
            String sha = compute(abs);
            known.setProperty(key, sha);
            store(known);
            return sha;
        } catch (IOException e) {
            throw new ModelResolutionException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    public static String compute(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Properties load() throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(index)) {
            try (InputStream in = Files.newInputStream(index)) {
                p.load(in);
            }
        }
        return p;
    }

    private void store(Properties p) {
        // The index is only a speed-up: a cache directory we cannot write costs time, not correctness.
        try {
            Files.createDirectories(index.getParent());
            Path tmp = Files.createTempFile(index.getParent(), "sha256-index", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "sha256 of model files by path|size|mtime");
            }
            Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // see above
        }
    }
}
