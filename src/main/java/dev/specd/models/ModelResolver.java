package dev.specd.models;

import dev.specd.plan.ModelRef;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link ModelRef} into a local file: looks in the model directories, then in the cache,
 * then downloads (when allowed and a URL is known); forged models are derived once and cached
 * under a name that hashes the recipe and the source's checksum. Every failure names the file.
 */
public final class ModelResolver {

    private static final Logger LOG = Logger.getLogger(ModelResolver.class);

    /** Runs a forge operation; the forge package implements it. */
    @FunctionalInterface
    public interface Forger {
        void forge(String op, Path source, Map<String, String> params, Path out);
    }

    private final List<Path> modelDirs;
    private final Path cacheModels;
    private final boolean downloadAllowed;
    private final Checksums checksums;
    private final Downloader downloader;
    private final Forger forger;
    private final String forgerVersion;

    public ModelResolver(List<Path> modelDirs, Path cacheDir, boolean downloadAllowed, Forger forger) {
        this(modelDirs, cacheDir, downloadAllowed, forger, "");
    }

    /**
     * @param forgerVersion part of a forged model's cache key: a forge that writes other bytes for
     *                      the same recipe must not reuse files an older one wrote
     */
    public ModelResolver(List<Path> modelDirs, Path cacheDir, boolean downloadAllowed, Forger forger,
                         String forgerVersion) {
        this.forgerVersion = forgerVersion;
        this.modelDirs = List.copyOf(modelDirs);
        this.cacheModels = cacheDir.resolve("models");
        this.downloadAllowed = downloadAllowed;
        this.checksums = new Checksums(cacheDir);
        this.downloader = new Downloader();
        this.forger = forger;
    }

    public Path resolve(ModelRef ref) {
        return switch (ref) {
            case ModelRef.File f -> resolveFile(f);
            case ModelRef.Forged f -> resolveForged(f);
        };
    }

    private Path resolveFile(ModelRef.File ref) {
        Path named = Path.of(ref.file());
        Path found = null;
        if (named.isAbsolute()) {
            if (Files.isRegularFile(named)) found = named;
        } else {
            for (Path dir : searchPath()) {
                Path candidate = dir.resolve(named);
                if (Files.isRegularFile(candidate)) {
                    found = candidate;
                    break;
                }
            }
        }
        if (found != null) {
            if (ref.sha256().isPresent()) verify(found, ref.sha256().get());
            return found;
        }
        if (ref.url().isEmpty()) {
            throw new ModelResolutionException("model file " + ref.file() + " not found in " + searchPath()
                    + " and no url is configured to download it from");
        }
        if (!downloadAllowed) {
            throw new ModelResolutionException("model file " + ref.file() + " not found in " + searchPath()
                    + " and downloads are disabled (specd.download=false)");
        }
        Path target = cacheModels.resolve(named.getFileName());
        LOG.infof("model %s not found locally; downloading %s", ref.file(), ref.url().get());
        return downloader.download(ref.url().get(), target, ref.sha256().orElse(null));
    }

    private void verify(Path file, String expected) {
        String actual = checksums.sha256(file);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new ModelResolutionException("checksum mismatch for model file " + file + ": expected sha256 "
                    + expected + ", got " + actual);
        }
    }

    private Path resolveForged(ModelRef.Forged ref) {
        Path source = resolve(ref.source());
        String key = recipeKey(forgerVersion + ref.op(), new TreeMap<>(ref.params()), checksums.sha256(source));
        Path out = cacheModels.resolve("forged").resolve(ref.op() + "-" + key + ".gguf");
        if (Files.isRegularFile(out)) return out;
        try {
            Files.createDirectories(out.getParent());
            Path tmp = Files.createTempFile(out.getParent(), ref.op(), ".part");
            try {
                long t0 = System.nanoTime();
                forger.forge(ref.op(), source, ref.params(), tmp);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                LOG.infof("forged %s (%s of %s) in %.1f s", out, ref.op(), source.getFileName(),
                        (System.nanoTime() - t0) / 1e9);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out;
        } catch (IOException e) {
            throw new ModelResolutionException("cannot write forged model " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof ModelResolutionException) throw e;
            throw new ModelResolutionException("forging " + ref.describe() + " into " + out + " failed: "
                    + e.getMessage(), e);
        }
    }

    static String recipeKey(String op, TreeMap<String, String> params, String sourceSha) {
        String canonical = op + "|" + params + "|" + sourceSha;
        byte[] hash = Checksums.newDigest().digest(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash).substring(0, 16);
    }

    private List<Path> searchPath() {
        List<Path> all = new ArrayList<>(modelDirs);
        all.add(cacheModels);
        return all;
    }
}
