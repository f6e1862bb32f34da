package dev.specd.forge;

/** A GGUF file that does not follow the format, or a model the forge cannot work on. */
public final class GgufFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
