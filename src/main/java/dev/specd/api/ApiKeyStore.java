package dev.specd.api;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's API keys: {@code specd.api-keys} plus {@code specd.api-keys-file}, the file
 * re-read every {@code specd.api-keys-reload-interval} and its keys swapped in when its content
 * changed. Keys are required once either is set — also when the file later holds none (emptying
 * it locks every protected path rather than opening the server). A file that fails to load at
 * start fails the start; later, the keys in force stay and a warning names the line (never its
 * content).
 */
@Singleton
public class ApiKeyStore {

    private static final Logger LOG = Logger.getLogger(ApiKeyStore.class);

    private final boolean enabled;
    private final ApiKeys fixed;
    private final Optional<Path> file;
    private volatile ApiKeys keys;
    private volatile byte[] fileDigest = new byte[0];
    /** The content that last failed to load: warned about once, not at every check. */
    private volatile byte[] failedDigest = new byte[0];
    private final ScheduledExecutorService reloader;

    @Inject
    ApiKeyStore(ApiConfig config) {
        this(config.apiKeys().orElse(List.of()), config.apiKeysFile().filter(f -> !f.isBlank()).map(Path::of),
                config.apiKeysReloadInterval());
    }

    ApiKeyStore(List<String> items, Optional<Path> file, Duration reloadInterval) {
        this.fixed = ApiKeys.parse(ApiKeys.listEntries(items));
        this.file = file;
        this.enabled = fixed.size() > 0 || file.isPresent();
        this.keys = fixed;
        if (file.isPresent()) {
            if (!reload()) throw new IllegalStateException("the API keys file " + file.get() + " could not be loaded");
            reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "specd-api-keys-reload");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(1, reloadInterval.toMillis());
            reloader.scheduleWithFixedDelay(this::reload, period, period, TimeUnit.MILLISECONDS);
        } else {
            reloader = null;
        }
        if (enabled) LOG.infof("API keys required (%d keys: %s)", keys.size(), keys.names());
    }

    /** Whether requests need a key. */
    public boolean enabled() {
        return enabled;
    }

    ApiKeys keys() {
        return keys;
    }

    /**
     * Re-reads the file if its content changed.
     *
     * @return false when it could not be read or parsed (the keys in force stay)
     */
    boolean reload() {
        Path f = file.orElseThrow();
        try {
            byte[] content = Files.readAllBytes(f);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            if (MessageDigest.isEqual(digest, fileDigest)) return true;
            if (MessageDigest.isEqual(digest, failedDigest)) return false;
            failedDigest = digest;
            ApiKeys loaded = fixed.with(ApiKeys.parse(ApiKeys.fileEntries(f.toString(),
                    new String(content, StandardCharsets.UTF_8))));
            boolean first = fileDigest.length == 0;
            keys = loaded;
            fileDigest = digest;
            if (!first) LOG.infof("API keys reloaded from %s: %d keys %s", f, loaded.size(), loaded.names());
            return true;
        } catch (IOException | IllegalArgumentException | java.security.NoSuchAlgorithmException e) {
            LOG.warnf("API keys file %s not loaded, the keys in force stay: %s", f, e.getMessage());
            return false;
        }
    }

    @PreDestroy
    void stop() {
        if (reloader != null) reloader.shutdownNow();
    }
}
