package dev.specd.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a model file says about itself.
 *
 * @param chatTemplate the template stored in the file, if any (stories260K has none)
 */
public record ModelInfo(
        Path file,
        String architecture,
        String description,
        long parameters,
        long sizeBytes,
        int vocabSize,
        int contextLengthTrained,
        int embeddingLength,
        int layers,
        Optional<String> chatTemplate) {
}
