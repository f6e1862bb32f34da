package dev.specd.models;

/** A model could not be found, downloaded, verified or forged; the message names the file. */
public class ModelResolutionException extends RuntimeException {
    public ModelResolutionException(String message) {
        super(message);
    }

    public ModelResolutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
