package dev.specd.api;

/**
 * An error answered in OpenAI's shape {@code {"error":{"message","type","param","code"}}}.
 *
 * @param retryAfterSeconds sent as Retry-After when positive
 */
public class ApiException extends RuntimeException {

    /** Retry-After of a 503: long enough for a restart or a queue to move, short for a client. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** The most characters of a client's own text (a model name, a token id) an error message repeats. */
    static final int ECHO_CHARS = 64;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A 400 for a bad value; its code ({@code invalid_value}) lets clients tell it from other 400s. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message, 0);
    }

    /** A 400 for a parameter or value this server does not support (honouring it is impossible here). */
    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message, 0);
    }

    /** A 404 for a path no endpoint serves (a client must not read it as a missing model). */
    public static ApiException unknownPath(String method, String path) {
        return new ApiException(404, "invalid_request_error", null, "not_found",
                "Unknown request URL: " + method + " " + path + ". Please check the URL and method.", 0);
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + echo(model) + "' does not exist", 0);
    }

    /** Client text quoted back in a message: at most {@value #ECHO_CHARS} characters, then an ellipsis. */
    static String echo(String text) {
        if (text == null || text.length() <= ECHO_CHARS) return text;
        int end = Character.isHighSurrogate(text.charAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
        return text.substring(0, end) + "…";
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "server_error", null, "service_unavailable", message, RETRY_AFTER_SECONDS);
    }

    /** A body over quarkus.http.limits.max-body-size, whichever layer refuses it. */
    static ApiException bodyTooLarge() {
        return new ApiException(413, "invalid_request_error", null, null, "Request body too large", 0);
    }

    /** A body that did not arrive in time (specd.http.body-timeout / body-idle-timeout). */
    static ApiException bodyTimeout(String why) {
        return new ApiException(408, "invalid_request_error", null, "body_timeout", why, 0);
    }

    /** The answer to a request whose client went away: nobody reads it (499, as nginx logs such requests). */
    static ApiException clientGone() {
        return new ApiException(499, "invalid_request_error", null, "cancelled",
                "the request was cancelled: its client went away", 0);
    }

    /** A generation that ended in an engine error or was cancelled under a request still waiting for it. */
    public static ApiException generationFailed(String why) {
        return new ApiException(500, "server_error", null, null, "generation failed: " + why, 0);
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Error(getMessage(), type, param, code));
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
