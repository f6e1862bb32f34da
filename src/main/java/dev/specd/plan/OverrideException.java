package dev.specd.plan;

/**
 * A request's speculation override cannot apply to its pipeline; {@link #field()} names the
 * request field (e.g. {@code speculation.k}) so that the API can answer 400 naming it.
 */
public final class OverrideException extends RuntimeException {

    private final String field;

    public OverrideException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
