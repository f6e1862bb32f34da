package dev.specd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The rounds of one drafter of one pipeline ({@code pipeline} and {@code drafter} labels): what
 * drafter selection chose and how each drafter fared, and a speculative cascade's deferrals.
 */
final class DrafterMeters {

    final Counter rounds;
    final Counter drafted;
    final Counter accepted;
    final Counter deferred;

    DrafterMeters(MeterRegistry registry, String pipeline, String drafter) {
        Tags tags = Tags.of("pipeline", pipeline, "drafter", drafter);
        rounds = Counter.builder("specd_drafter_rounds").description("Speculation rounds this drafter drafted")
                .tags(tags).register(registry);
        drafted = Counter.builder("specd_drafter_draft_tokens").description("Tokens this drafter proposed")
                .tags(tags).register(registry);
        accepted = Counter.builder("specd_drafter_accepted_tokens")
                .description("Tokens of this drafter's drafts the target accepted").tags(tags).register(registry);
        deferred = Counter.builder("specd_cascade_deferred_positions")
                .description("Drafted positions a speculative cascade's rule deferred to the target").tags(tags)
                .register(registry);
    }
}
