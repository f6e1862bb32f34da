package dev.specd;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared test models are: {@code SPECD_MODELS_DIR}, else {@code ../shared/models}. */
public final class TestModels {

    private TestModels() {
    }

    public static Path dir() {
        String env = System.getenv("SPECD_MODELS_DIR");
        if (env != null && !env.isBlank()) {
            for (String d : env.split(":")) {
                if (Files.isDirectory(Path.of(d))) return Path.of(d);
            }
        }
        return Path.of("..", "shared", "models").toAbsolutePath().normalize();
    }

    public static Path stories260K() {
        return require(dir().resolve("stories260K.gguf"));
    }

    public static Path tinyRandomLlama2() {
        return require(dir().resolve("llama-2-tiny-random.gguf"));
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test model " + p + " is missing: run the tests from the repository root "
                    + "with ../shared/models present, or set SPECD_MODELS_DIR");
        }
        return p;
    }
}
