package dev.specd.plan;

import java.util.Locale;
import java.util.Optional;

/** How a request picks, each round, which of its pipeline's drafters drafts. */
public enum DraftSelection {
    /** The first drafter, in the order the spec lists them, that proposes anything. */
    FIRST,
    /**
     * Online selection: every free drafter's proposal is scored counterfactually against the tokens
     * the target then accepted, the draft model's from its own rounds, and each round goes to the
     * drafter (or none) with the best expected tokens per unit of time.
     */
    ADAPTIVE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DraftSelection> fromWire(String s) {
        for (DraftSelection d : values()) if (d.wireName().equals(s)) return Optional.of(d);
        return Optional.empty();
    }
}
