package dev.specd.draft;

/**
 * Proposes the next tokens of one sequence (vLLM's "proposer", llama.cpp's common_speculative).
 * A drafter is made for one request and keeps whatever state it needs in step with the tokens it
 * is shown. Two kinds, because they run differently: a {@link FreeDrafter} answers at once with
 * no model of its own (prompt lookup), while a {@link ModelDrafter} drafts token by token with a
 * small model, one decode step at a time, so that the engine can batch the steps of every sequence
 * drafting with the same model.
 */
public sealed interface Drafter extends AutoCloseable permits FreeDrafter, ModelDrafter {

    /** Frees the drafter's resources (e.g. its sequence in the draft model's cache). */
    @Override
    default void close() {
    }
}
