package dev.specd.runtime.observe;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.PolicyEvents;
import dev.specd.runtime.adaptive.RoundRecord;

import java.util.Set;

/**
 * What the scheduler and the runtime report as they work, for whoever observes them (the
 * Prometheus metrics in {@code dev.specd.metrics}). Every method has a do-nothing default, so an
 * observer overrides what it needs and {@link #NONE} observes nothing. Called on engine threads and
 * request threads: implementations must be thread-safe and quick (no I/O).
 */
public interface Telemetry extends PolicyEvents {

    Telemetry NONE = new Telemetry() {
    };

    /**
     * An engine (the thread that owns one target model's context) started, with its capacity: the
     * utilisation gauges divide by these, and the engine's heartbeat starts now.
     *
     * @param sequences     requests it decodes at once (sequence slots)
     * @param queueCapacity requests that may wait for a slot; one more is refused
     * @param kvCells       KV cells of its context, shared by its sequences
     */
    default void engineStarted(String engine, int sequences, int queueCapacity, int kvCells) {
    }

    /**
     * A pipeline (a preset over {@code engine}: what a request's {@code model} names) is ready to
     * serve. Observers create its series now, at zero, for every mode it may run in, every finish
     * reason and draft positions 0..{@code maxDraftPositions} - 1, so that {@code rate()} and
     * {@code increase()} see a request's first counts instead of starting from them.
     *
     * @param maxDraftPositions the most tokens one round of the pipeline's own mode drafts (its k,
     *                          or a cascade's unverified run limit); 0 when it never drafts
     * @param modes             the modes its requests may run in (its own, and the overrides it allows)
     */
    default void pipelineStarted(String pipeline, String engine, int maxDraftPositions, Set<SpeculationMode> modes) {
    }

    /** A request left the queue for a sequence slot after waiting {@code nanos}. */
    default void admitted(String pipeline, long queueWaitNanos) {
    }

    /** A request's first token reached its client's stream {@code nanos} after the request was queued. */
    default void firstToken(String pipeline, long nanos) {
    }

    /** A later text event came {@code nanos} after the previous one of the same request. */
    default void interToken(String pipeline, long nanos) {
    }

    /** A request ended (normally or not). */
    default void finished(String pipeline, RequestOutcome outcome) {
    }

    /** One speculation round of a request running in {@code mode}. */
    default void round(String pipeline, SpeculationMode mode, RoundRecord round) {
    }

    /**
     * A preset's suffix tree over earlier requests changed (a request went in, old ones were evicted).
     *
     * @param bytes     what the tree holds in memory
     * @param sequences requests it holds
     */
    default void suffixTree(String pipeline, int nodes, long bytes, int sequences) {
    }

    /** A cascade's draft model lost confidence and handed over to the target. */
    default void escalation(String pipeline) {
    }


    /**
     * After each engine turn: sequences running and waiting, rows in the batch, KV cells in use.
     * An idle engine still turns (it wakes up to look at its queue), so turns are its heartbeat.
     */
    default void turn(String engine, int running, int waiting, int batchRows, int kvCells) {
    }

    /** How many copies of a model file are loaded now (1 once shared by every engine that uses it; 0 once freed). */
    default void modelsLoaded(String file, int copies) {
    }

    /** Joules charged to one ended request, and where they were measured. */
    default void energy(String pipeline, SpeculationMode mode, double joules, int completionTokens, String source) {
    }

    /**
     * Joules no request is charged with: used while no engine loop had work (waiting for requests,
     * loading models). Reported by the loop that found them as it woke up.
     */
    default void idleEnergy(double joules, String source) {
    }

    /**
     * One ended request as the metrics count it.
     *
     * @param e2eNanos        from entering the queue to the last event
     * @param firstTokenNanos from entering the queue to the first text, or -1 when no text came
     */
    record RequestOutcome(FinishReason reason, SpeculationMode mode, int promptTokens, int completionTokens,
                          long e2eNanos, long firstTokenNanos, SpeculationSummary speculation) {
    }
}
