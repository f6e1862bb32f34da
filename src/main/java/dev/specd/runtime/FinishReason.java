package dev.specd.runtime;

/** Why a generation ended, named as OpenAI's {@code finish_reason} where OpenAI has a name. */
public enum FinishReason {
    /** End-of-generation token or a stop string. */
    STOP("stop"),
    /** max_tokens reached, or the sequence's share of the context is full. */
    LENGTH("length"),
    /** The client went away or the request was cancelled; nothing is sent. */
    CANCELLED("cancelled"),
    /** The engine failed; the stream ends with an error. */
    ERROR("error");

    private final String openAi;

    FinishReason(String openAi) {
        this.openAi = openAi;
    }

    public String openAi() {
        return openAi;
    }
}
