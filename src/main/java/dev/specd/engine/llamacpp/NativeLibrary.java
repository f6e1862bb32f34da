package dev.specd.engine.llamacpp;

import dev.specd.engine.CacheDirs;
import dev.specd.engine.EngineException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finds the llama.cpp shared library. By default it is the {@code libjllama.so} shipped inside the
 * de.kherud:llama jar (llama.cpp b4916, which exports the whole C API), extracted once into the
 * cache directory. A user's own build of the same llama.cpp version (e.g. with CUDA) can be used
 * instead by naming its file ({@code specd.engine.library}, or the environment variable
 * {@value #PATH_ENV} for tools).
 * <p>
 * The library is loaded once per process and its symbols back {@code static final} method handles,
 * so where it comes from is process-wide by nature: the server states it once, before the first
 * native call, with {@link #use}; a different choice after the library was loaded is an error
 * rather than silently ignored.
 */
public final class NativeLibrary {

    public static final String PATH_ENV = "SPECD_ENGINE_LIBRARY";

    /**
     * Where to load the library from.
     *
     * @param library   a user's own llama.cpp b4916 build, or empty for the bundled one
     * @param nativeDir where the bundled one is extracted
     */
    public record Settings(Optional<Path> library, Path nativeDir) {
        /** For tools: {@value #PATH_ENV}, and the cache from the environment. */
        public static Settings fromEnvironment() {
            String configured = System.getenv(PATH_ENV);
            return new Settings(Optional.ofNullable(configured).filter(s -> !s.isBlank()).map(Path::of),
                    CacheDirs.fromEnvironment().nativeDir());
        }
    }

    /** The choice made before the library was loaded; written once (see the class comment). */
    private static final AtomicReference<Settings> CHOSEN = new AtomicReference<>();
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /**
     * States where the library comes from; must come before the first native call. Calling it
     * again with the same settings is harmless.
     *
     * @throws IllegalStateException when the library is loaded already from another file
     */
    public static synchronized void use(Settings settings) {
        if (!loaded) {
            CHOSEN.set(settings);
            return;
        }
        // Loaded already (an earlier start in this JVM): where it was extracted no longer matters,
        // but asking for another library file cannot be honoured.
        if (!CHOSEN.get().library().equals(settings.library())) {
            throw new IllegalStateException("the llama.cpp library is loaded already from "
                    + CHOSEN.get().library().map(Path::toString).orElse("the bundled copy")
                    + "; cannot switch to " + settings.library().map(Path::toString).orElse("the bundled copy"));
        }
    }

    /** The library file to load: the configured one, else the jar's copy extracted to the cache. */
    public static Path resolve() {
        Settings s = CHOSEN.updateAndGet(c -> c != null ? c : Settings.fromEnvironment());
        if (s.library().isPresent()) {
            Path path = s.library().get();
            if (!Files.isRegularFile(path)) {
                throw new EngineException("llama.cpp library " + path + " (specd.engine.library / " + PATH_ENV
                        + ") does not exist");
            }
            return path;
        }
        return extractBundled(s.nativeDir());
    }

    /** Opens the library for the life of the process (its symbols back static method handles). */
    static synchronized SymbolLookup open() {
        Path path = resolve();
        loaded = true;
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new EngineException("cannot load llama.cpp library " + path + ": " + e.getMessage(), e);
        }
    }

    static String resourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new EngineException("no bundled llama.cpp library for architecture " + arch
                    + "; set " + PATH_ENV + " to a llama.cpp b4916 build");
        };
        if (os.contains("linux")) return "de/kherud/llama/Linux/" + archDir + "/libjllama.so";
        if (os.contains("mac")) return "de/kherud/llama/Mac/" + archDir + "/libjllama.dylib";
        if (os.contains("windows")) return "de/kherud/llama/Windows/" + archDir + "/jllama.dll";
        throw new EngineException("no bundled llama.cpp library for OS " + os + "; set " + PATH_ENV);
    }

    /**
     * Copies the bundled library to {@code dir/<content hash>/}: the hash keeps two library versions
     * apart, and writing to a temporary file then moving it makes concurrent first starts safe.
     */
    static Path extractBundled(Path dir) {
        String resource = resourceName();
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new EngineException("llama.cpp library " + resource + " is not on the class path "
                        + "(the de.kherud:llama jar is missing); set " + PATH_ENV);
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new EngineException("cannot read bundled llama.cpp library " + resource, e);
        }
        String hash = sha256(bytes).substring(0, 16);
        Path target = dir.resolve(hash).resolve(Path.of(resource).getFileName().toString());
        try {
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "lib", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new EngineException("cannot extract llama.cpp library to " + target + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
