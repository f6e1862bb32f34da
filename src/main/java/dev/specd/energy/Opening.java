package dev.specd.energy;

import dev.specd.runtime.observe.EnergySource;

import java.util.Optional;

/**
 * The outcome of trying to open a meter: the meter, or why there is none. The reason travels with
 * the outcome (rather than being logged where it arises) so that the factory can say in one line
 * which source it chose and why the better ones were not available.
 */
sealed interface Opening<T extends EnergySource> {

    record Available<T extends EnergySource>(T meter) implements Opening<T> {
    }

    record Unavailable<T extends EnergySource>(String reason) implements Opening<T> {
    }

    static <T extends EnergySource> Opening<T> available(T meter) {
        return new Available<>(meter);
    }

    static <T extends EnergySource> Opening<T> unavailable(String reason) {
        return new Unavailable<>(reason);
    }

    /** The meter, if there is one. */
    default Optional<T> asOptional() {
        return this instanceof Available<T>(T meter) ? Optional.of(meter) : Optional.empty();
    }
}
