package dev.specd.runtime.adaptive;

import dev.specd.plan.SpeculationMode;
import dev.specd.sampling.SamplingParams;

import java.util.Locale;
import java.util.Optional;

/**
 * Requests that accept drafts alike, profiled together: acceptance depends above all on how the
 * target samples (greedy agrees with a draft far more often than temperature 1.5) and on the mode.
 *
 * @param band {@code greedy} (temperature 0), {@code sampled} (up to 1) or {@code hot} (above 1)
 */
public record RequestClass(SpeculationMode mode, String band) {

    public static RequestClass of(SpeculationMode mode, SamplingParams sampling) {
        double t = sampling.temperature();
        return new RequestClass(mode, t == 0 ? "greedy" : t <= 1.0 ? "sampled" : "hot");
    }

    /** The key in a saved profile, e.g. {@code lossless/greedy}. */
    public String key() {
        return mode.wireName() + "/" + band;
    }

    public static Optional<RequestClass> parse(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) return Optional.empty();
        try {
            return Optional.of(new RequestClass(SpeculationMode.valueOf(key.substring(0, slash).toUpperCase(Locale.ROOT)),
                    key.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
