package dev.specd.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where specd keeps what it downloads, forges and extracts.
 *
 * @param root the configured cache directory ({@code specd.cache-dir} / {@code SPECD_CACHE_DIR}),
 *             else {@code $XDG_CACHE_HOME/specd}, else {@code ~/.cache/specd}
 */
public record CacheDirs(Path root) {

    /** The configured directory, or the user's cache default. */
    public static CacheDirs of(Optional<String> configured) {
        return configured.filter(s -> !s.isBlank()).map(s -> new CacheDirs(Path.of(s))).orElseGet(CacheDirs::fromEnvironment);
    }

    /** For tools started outside the server: {@code SPECD_CACHE_DIR}, else the user's cache default. */
    public static CacheDirs fromEnvironment() {
        String configured = System.getenv("SPECD_CACHE_DIR");
        if (configured != null && !configured.isBlank()) return new CacheDirs(Path.of(configured));
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return new CacheDirs(Path.of(xdg, "specd"));
        return new CacheDirs(Path.of(System.getProperty("user.home"), ".cache", "specd"));
    }

    public Path nativeDir() {
        return root.resolve("native");
    }

    public Path modelsDir() {
        return root.resolve("models");
    }

    /** Saved engine and pipeline profiles (PGO). */
    public Path profilesDir() {
        return root.resolve("profiles");
    }
}
