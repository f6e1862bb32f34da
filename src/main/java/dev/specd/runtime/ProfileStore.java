package dev.specd.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
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
import java.util.HexFormat;
import java.util.Optional;

/**
 * Saved pipeline profiles (profile-guided optimisation): one JSON file per pipeline,
 * {@code <dir>/<pipeline>.json}, written atomically. A profile that does not fit — another
 * version, or measured with other models or threads — is ignored with a log line, never trusted:
 * a wrong profile would steer the adaptive policy worse than no profile.
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

    public Path file(String pipeline) {
        return dir.resolve(pipeline + ".json");
    }

    /** The saved profile of {@code plan}'s pipeline, if there is one that was measured on the same plan. */
    public Optional<ProfileData> load(ExecutionPlan plan) {
        Path file = file(plan.id());
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            ProfileData data = json.readValue(file.toFile(), ProfileData.class);
            if (data.version() != ProfileData.VERSION) {
                LOG.warnf("ignoring profile %s: version %d, this build reads %d", file, data.version(), ProfileData.VERSION);
                return Optional.empty();
            }
            if (!planKey(plan).equals(data.plan())) {
                LOG.warnf("ignoring profile %s: it was measured with other models or settings than pipeline %s has now",
                        file, plan.id());
                return Optional.empty();
            }
            return Optional.of(data);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ignoring unreadable profile %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes the profile, replacing the old one only once the new one is complete. */
    public Path save(ProfileData data) {
        Path file = file(data.pipeline());
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, data.pipeline(), ".tmp");
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
     * What a profile's numbers depend on: the models, how they run (threads, GPU layers, sequences,
     * context) and the drafters. Not the policy, k or τ: those are what the profile informs.
     */
    public static String planKey(ExecutionPlan plan) {
        StringBuilder key = new StringBuilder().append(plan.target().describe()).append('|').append(plan.threads())
                .append('|').append(plan.gpuLayers()).append('|').append(plan.sequences()).append('|')
                .append(plan.contextLength());
        for (DraftPlan d : plan.drafters()) key.append('|').append(d.describe());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
