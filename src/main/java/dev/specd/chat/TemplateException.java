package dev.specd.chat;

/**
 * A chat template refused the conversation ({@code raise_exception} in the template, e.g. roles
 * that do not alternate) or could not express what was asked (tools): the request's fault, a 400
 * naming {@link #param()}.
 */
public final class TemplateException extends RuntimeException {

    private final String param;

    public TemplateException(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
