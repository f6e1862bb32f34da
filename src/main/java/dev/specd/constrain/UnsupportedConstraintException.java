package dev.specd.constrain;

/**
 * A constraint this server cannot enforce: an unsupported JSON-schema keyword, a regex feature
 * no grammar can express, a malformed schema. The API answers it with a 400 naming {@link #keyword()}.
 */
public final class UnsupportedConstraintException extends RuntimeException {

    private final String keyword;

    /**
     * @param keyword the schema keyword or regex feature at fault
     * @param message says what and where
     */
    public UnsupportedConstraintException(String keyword, String message) {
        super(message);
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
