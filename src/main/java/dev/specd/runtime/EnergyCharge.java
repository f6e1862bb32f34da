package dev.specd.runtime;

import dev.specd.runtime.observe.EnergySource;

/**
 * The energy charged to one request: its share of every engine turn it took part in.
 *
 * @param tokens the tokens it generated (usage.completion_tokens)
 * @param source where the joules were measured ({@link EnergySource#name()})
 */
public record EnergyCharge(double joules, int tokens, String source) {

    public EnergyCharge {
        if (!(joules >= 0)) throw new IllegalArgumentException("joules must be >= 0, got " + joules);
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
    }

    /** Joules per generated token; null when no token was generated (energy spent on a prompt alone). */
    public Double perToken() {
        return tokens == 0 ? null : joules / tokens;
    }

    /** The charges of several requests (the choices of one answer) as one. */
    public EnergyCharge plus(EnergyCharge other) {
        return new EnergyCharge(joules + other.joules, tokens + other.tokens, source);
    }
}
