package dev.specd.app;

import dev.specd.plan.ModelRef;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Readable, stable engine ids from their target model: the file's name without {@code .gguf}, or
 * for a forged model its source's name, the operation and a short hash of the recipe (e.g.
 * {@code stories260K-expand-1a2b3c4d}). They label metrics and name saved profiles.
 */
final class EngineNames {

    private EngineNames() {
    }

    static String of(ModelRef target) {
        return switch (target) {
            case ModelRef.File f -> stem(f.file());
            case ModelRef.Forged g -> of(g.source()) + "-" + g.op() + "-" + hash(g.key());
        };
    }

    private static String stem(String file) {
        String name = java.nio.file.Path.of(file).getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
