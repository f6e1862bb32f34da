package dev.specd.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.TargetSpec;
import dev.specd.runtime.adaptive.CostData;
import dev.specd.runtime.adaptive.ProfileData;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Saved profiles (profile-guided optimisation), one JSON file each, written atomically: an
 * engine's costs in {@code <dir>/<engine>.engine.json}, a preset's acceptance in
 * {@code <dir>/<engine>--<pipeline>.json}. A file that does not fit — another version, or measured
 * with other models or threads — is ignored with a log line, never trusted: a wrong profile would
 * steer the adaptive policy worse than none. A save never replaces a file that holds more
 * measurements than it (an offline {@code specd profile} run is not undone by a server that
 * started before it).
 */
public final class ProfileStore {

    private static final Logger LOG = Logger.getLogger(ProfileStore.class);

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ProfileStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path engineFile(String engine) {
        return dir.resolve(engine + ".engine.json");
    }

    public Path presetFile(String engine, String pipeline) {
        return dir.resolve(engine + "--" + pipeline + ".json");
    }

    /** The saved costs of an engine, if measured with the same key. */
    public Optional<CostData> loadEngine(String engine, String key) {
        return read(engineFile(engine), CostData.class).filter(d -> fits(engineFile(engine), d.version(),
                CostData.VERSION, d.key(), key));
    }

    /** The saved acceptance profile of a preset, if measured with the same key. */
    public Optional<ProfileData> loadPreset(String engine, String pipeline, String key) {
        Path f = presetFile(engine, pipeline);
        return read(f, ProfileData.class).filter(d -> fits(f, d.version(), ProfileData.VERSION, d.plan(), key));
    }

    /** @return the file, or empty when a file with more measurements was kept */
    public Optional<Path> saveEngine(CostData data) {
        Path f = engineFile(data.engine());
        Optional<CostData> old = read(f, CostData.class);
        if (old.isPresent() && old.get().key().equals(data.key()) && old.get().observations() > data.observations()) {
            LOG.debugf("kept %s: it holds %d observations, this save %d", f, old.get().observations(), data.observations());
            return Optional.empty();
        }
        return Optional.of(write(f, data));
    }

    /** @return the file, or empty when a file with more rounds was kept */
    public Optional<Path> savePreset(String engine, ProfileData data) {
        Path f = presetFile(engine, data.pipeline());
        Optional<ProfileData> old = read(f, ProfileData.class);
        if (old.isPresent() && old.get().plan().equals(data.plan()) && old.get().rounds() > data.rounds()) {
            LOG.debugf("kept %s: it holds %d rounds, this save %d", f, old.get().rounds(), data.rounds());
            return Optional.empty();
        }
        return Optional.of(write(f, data));
    }

    private boolean fits(Path file, int version, int expected, String savedKey, String key) {
        if (version != expected) {
            LOG.warnf("ignoring profile %s: version %d, this build reads %d", file, version, expected);
            return false;
        }
        if (!key.equals(savedKey)) {
            LOG.warnf("ignoring profile %s: it was measured with other models or settings than now", file);
            return false;
        }
        return true;
    }

    private <T> Optional<T> read(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(json.readValue(file.toFile(), type));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ignoring unreadable profile %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes to a temporary file first and moves it over the old one: a crash never leaves half a file. */
    private Path write(Path file, Object data) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                json.writeValue(tmp.toFile(), data);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save profile " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What an engine's costs depend on: the target, how it runs (threads, GPU layers, sequences,
     * context) and which draft models it steps.
     */
    public static String engineKey(TargetSpec spec, Collection<String> draftModels) {
        StringBuilder key = new StringBuilder().append(spec.model().describe()).append('|').append(spec.threads())
                .append('|').append(spec.gpuLayers()).append('|').append(spec.sequences()).append('|')
                .append(spec.contextLength());
        for (String d : new TreeSet<>(draftModels)) key.append('|').append(d);
        return hash(key.toString());
    }

    /** What a preset's acceptance depends on: its engine's target and its drafters. Not the policy, k or τ. */
    public static String presetKey(ExecutionPlan plan) {
        StringBuilder key = new StringBuilder().append(plan.target().model().describe());
        for (DraftPlan d : plan.drafters()) key.append('|').append(d.describe());
        return hash(key.toString());
    }

    private static String hash(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
