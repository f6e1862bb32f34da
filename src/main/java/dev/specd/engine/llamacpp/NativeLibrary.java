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

/**
 * Finds the llama.cpp shared library. By default it is the {@code libjllama.so} shipped inside the
 * de.kherud:llama jar (llama.cpp b4916, which exports the whole C API), extracted once into the
 * cache directory. A user's own build of the same llama.cpp version (e.g. with CUDA) can be used
 * instead by naming its file in the system property {@value #PATH_PROPERTY} or the environment
 * variable {@value #PATH_ENV}.
 */
public final class NativeLibrary {

    public static final String PATH_PROPERTY = "specd.engine.library";
    public static final String PATH_ENV = "SPECD_ENGINE_LIBRARY";

    private NativeLibrary() {
    }

    /** The library file to load: the configured one, else the jar's copy extracted to the cache. */
    public static Path resolve() {
        String configured = System.getProperty(PATH_PROPERTY, System.getenv(PATH_ENV));
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path)) {
                throw new EngineException("llama.cpp library " + path + " (from " + PATH_PROPERTY + "/" + PATH_ENV
                        + ") does not exist");
            }
            return path;
        }
        return extractBundled(CacheDirs.nativeDir());
    }

    /** Opens the library for the life of the process (its symbols back static method handles). */
    static SymbolLookup open() {
        Path path = resolve();
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
