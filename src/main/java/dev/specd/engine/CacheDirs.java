package dev.specd.engine;

import java.nio.file.Path;

/**
 * The cache root: {@code SPECD_CACHE_DIR} (or system property {@code specd.cache-dir}), else
 * {@code $XDG_CACHE_HOME/specd}, else {@code ~/.cache/specd}.
 */
public final class CacheDirs {

    private CacheDirs() {
    }

    /** Named like its config key: Startup sets it, and a second Quarkus start reads it as config. */
    public static final String PROPERTY = "specd.cache-dir";

    public static Path root() {
        String configured = System.getProperty(PROPERTY, System.getenv("SPECD_CACHE_DIR"));
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "specd");
        return Path.of(System.getProperty("user.home"), ".cache", "specd");
    }

    public static Path nativeDir() {
        return root().resolve("native");
    }

    public static Path modelsDir() {
        return root().resolve("models");
    }

    /** Saved pipeline profiles (PGO). */
    public static Path profilesDir() {
        return root().resolve("profiles");
    }
}
