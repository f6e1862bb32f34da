package dev.specd.sampling;

/**
 * A sampling parameter outside its allowed range.
 *
 * <p>It is an {@link IllegalArgumentException} so that generic callers need not know it, but it
 * also carries the offending parameter under its OpenAI wire name ({@code top_p}, not
 * {@code topP}) so the API layer can fill the error object's {@code param} field without parsing
 * the message.
 */
public final class InvalidSamplingParameterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String param;

    public InvalidSamplingParameterException(String param, String problem) {
        super(param + " " + problem);
        this.param = param;
    }

    /** The parameter's OpenAI wire name, e.g. {@code "temperature"} or {@code "logit_bias"}. */
    public String param() {
        return param;
    }
}
