package dev.specd.sched;

import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.EnergyCharge;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.observe.EnergyAccount;
import dev.specd.runtime.observe.Telemetry;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An engine's books: each request's timings for the telemetry, and each turn's energy split
 * among the requests that took part in it, in proportion to the rows each put into the batch.
 * A request's {@link GenerationEvent.Done} is held until the end of the turn it ended in, so that
 * it carries the joules of that turn too. Engine thread only.
 */
final class TurnLedger {

    private static final Logger LOG = Logger.getLogger(TurnLedger.class);

    private final String engine;
    private final Telemetry telemetry;
    private final EnergyAccount energy;
    private final LongSupplier clock;
    /** The requests that worked in the current turn, and the rows each is charged for (by identity). */
    private final Map<Job, Integer> rows = new LinkedHashMap<>();
    /** Requests that ended in the current turn, their Done held back. */
    private final List<Job> ended = new ArrayList<>();
    private int batchRows;

    TurnLedger(String engine, Telemetry telemetry, EnergyAccount energy, LongSupplier clock) {
        this.engine = engine;
        this.telemetry = telemetry;
        this.energy = energy;
        this.clock = clock;
    }

    /** A request got its sequence slot and generation. */
    void admitted(Job job) {
        telemetry.admitted(job.pipelineId(), clock.getAsLong() - job.enqueuedNanos);
    }

    /**
     * A text event on its way to the client. The first token is the first text a client sees
     * (tokens held back as part of a character or a possible stop string do not count); after it
     * every event that brings a token is one inter-token gap, so a cascade's verified burst shows
     * as the near-zero gaps its client sees.
     */
    void text(Job job, GenerationEvent.Text text) {
        long now = clock.getAsLong();
        if (job.firstTextNanos < 0) {
            if (text.text().isEmpty()) return;
            job.firstTextNanos = now;
            telemetry.firstToken(job.pipelineId(), now - job.enqueuedNanos);
        } else if (text.tokens().length > 0) {
            telemetry.interToken(job.pipelineId(), now - job.lastTokenNanos);
        } else {
            return; // text held back earlier, released at the end: no new token
        }
        job.lastTokenNanos = now;
    }

    /**
     * One speculation round of a request. In a cascade every round is a call to the target (the
     * draft model lost confidence, or ran max_unverified tokens ahead): each is an escalation.
     */
    void round(Job job, RoundRecord round) {
        telemetry.round(job.pipelineId(), job.mode(), round);
        // A speculative cascade verifies every round like lossless speculation: no hand-over to count.
        if (job.mode() == SpeculationMode.CASCADE && !job.request.speculation().cascade().rule().speculative()) {
            telemetry.escalation(job.pipelineId());
        }
    }

    /** A request put {@code tokens} rows into this turn's batch. */
    void decoded(Job job, int tokens) {
        batchRows += tokens;
        rows.merge(job, tokens, Integer::sum);
    }

    /**
     * A request worked in this turn without a row in the batch (a cascade's draft model that
     * finished alone, a step that failed): it is charged as one row.
     */
    void workedAside(Job job) {
        rows.merge(job, 1, Integer::sum);
    }

    /** A generation ended; its Done goes out when the turn closes. */
    void ended(Job job, GenerationEvent.Done done) {
        job.done = done;
        ended.add(job);
    }

    /**
     * The loop waited for requests with nothing running: the joules used meanwhile (by nobody, or
     * by loading models) are taken off the account so that the first turn is not charged with them.
     */
    void wokeUp() {
        double idle = energy.claim();
        if (energy.metered()) telemetry.idleEnergy(idle, energy.source());
    }

    /**
     * Ends a turn: claims its joules and splits them among the requests that worked in it, sends
     * the Done of every request that ended in it, and reports the loop's state. A turn in which no
     * request worked claims nothing: the joules are left to the next turn of any loop.
     */
    void close(int running, int waiting, int kvCells) {
        try {
            if (!rows.isEmpty()) {
                int[] weights = rows.values().stream().mapToInt(Integer::intValue).toArray();
                double[] shares = EnergyAccount.split(energy.claim(), weights);
                int i = 0;
                for (Job job : rows.keySet()) job.joules += shares[i++];
            }
            for (Job job : ended) finish(job);
            try {
                telemetry.turn(engine, running, waiting, batchRows, kvCells);
            } catch (RuntimeException e) {
                LOG.warnf(e, "telemetry of engine %s failed", engine);
            }
        } finally {
            // Whatever failed, the next turn starts with clean books (and no Done is sent twice).
            rows.clear();
            ended.clear();
            batchRows = 0;
        }
    }

    private void finish(Job job) {
        GenerationEvent.Done d = job.done;
        EnergyCharge charge = energy.metered() ? new EnergyCharge(job.joules, job.done.completionTokens(), energy.source()) : null;
        SpeculationSummary speculation = d.speculation() == null ? null : d.speculation().withEnergy(charge);
        // The metrics first: a client that reads them right after its answer finds its request counted.
        try {
            long firstText = job.firstTextNanos < 0 ? -1 : job.firstTextNanos - job.enqueuedNanos;
            telemetry.finished(job.pipelineId(), new Telemetry.RequestOutcome(d.reason(), job.mode(), d.promptTokens(),
                    d.completionTokens(), clock.getAsLong() - job.enqueuedNanos, firstText, speculation));
            if (charge != null) telemetry.energy(job.pipelineId(), job.mode(), charge.joules(), d.completionTokens(), charge.source());
        } catch (RuntimeException e) {
            LOG.warnf(e, "telemetry of pipeline %s failed", job.pipelineId()); // the answer must still go out
        }
        if (job.cancelled) return; // failed or gone: its end must not reach the client
        job.sink.onEvent(new GenerationEvent.Done(d.reason(), d.promptTokens(), d.completionTokens(), d.error(),
                speculation));
    }
}
