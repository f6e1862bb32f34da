package dev.specd.sched;

import dev.specd.engine.DecodeStep;
import dev.specd.engine.EngineException;
import dev.specd.engine.ModelContext;
import dev.specd.engine.PartialDecodeException;
import dev.specd.engine.Sequence;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.Generation;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.DraftLength;
import dev.specd.runtime.adaptive.RequestClass;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sampling.Sampler;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an engine does in one turn, on its driver's thread: ends requests that were cancelled or ran
 * out of time, admits waiting ones into free sequence slots, and runs one speculation round of every
 * running request — each round begun, the draft steps of all sequences drafting with the same draft
 * model decoded together step after step, then one verify batch for every sequence of the engine.
 * A request whose own step fails ends alone; the others go on.
 */
final class EngineTurn {

    private static final Logger LOG = Logger.getLogger(EngineTurn.class);

    private final Engine engine;
    private final Admission queue;
    private final TurnLedger ledger;
    private final Telemetry telemetry;
    private final CostModel costs;
    private final List<Job> running = new ArrayList<>();
    private final Map<ModelContext, String> draftKeys = new IdentityHashMap<>();
    private volatile int runningCount;

    EngineTurn(Engine engine, Admission queue, TurnLedger ledger, Telemetry telemetry, CostModel costs) {
        this.engine = engine;
        this.queue = queue;
        this.ledger = ledger;
        this.telemetry = telemetry;
        this.costs = costs;
        engine.draftContexts().forEach((key, ctx) -> draftKeys.put(ctx, key));
    }

    int runningCount() {
        return runningCount;
    }

    /**
     * @param draining when set, waiting requests are still admitted (they were accepted before the drain)
     * @return whether anything happened
     */
    boolean run(boolean draining) {
        boolean worked = false;
        try {
            long now = queue.now();
            for (Job job : List.copyOf(running)) {
                if (job.cancelled) end(job, FinishReason.CANCELLED, null);
                else if (job.expired(now)) fail(job, queue.timeout(true));
                else continue;
                worked = true;
            }
            queue.dropExpired(now);
            int slots = engine.spec().sequences();
            while (running.size() < slots) {
                Job next = queue.poll();
                if (next == null) break;
                if (running.isEmpty()) ledger.wokeUp();
                admit(next);
                worked = true;
            }
            if (!running.isEmpty()) {
                round();
                worked = true;
            }
        } catch (Throwable e) {
            // Whatever broke, the engine must live on: a dead turn would leave every current and
            // future request of the engine waiting forever.
            LOG.errorf(e, "a turn of engine %s failed", engine.id());
            for (Job job : List.copyOf(running)) end(job, FinishReason.ERROR, String.valueOf(e.getMessage()));
            worked = true;
        } finally {
            // Idle turns too: the telemetry counts every turn as the engine's heartbeat.
            closeTurn();
        }
        return worked;
    }

    private void round() {
        long start = System.nanoTime();
        int concurrent = running.size();
        for (Job job : List.copyOf(running)) {
            try {
                job.generation.beginRound(concurrent);
            } catch (RuntimeException e) {
                ledger.workedAside(job);
                failAlone(job, e);
            }
        }
        long decodeNanos = draftSteps();
        List<Job> verifying = new ArrayList<>(running.size());
        List<DecodeStep> steps = new ArrayList<>(running.size());
        int batchTokens = 0;
        for (Job job : List.copyOf(running)) {
            if (job.generation.isDone()) { // a cascade that finished on the draft model alone
                ledger.workedAside(job);
                release(job);
                continue;
            }
            DecodeStep step = job.generation.verifyStep();
            ledger.decoded(job, step.tokens().length);
            batchTokens += step.tokens().length;
            verifying.add(job);
            steps.add(step);
        }
        if (steps.isEmpty()) return;
        ModelContext context = engine.context();
        List<float[][]> logits = new ArrayList<>(steps.size());
        long verifyNanos = 0;
        // Batch-invariant: each sequence in a call of its own, so that no other traffic shapes its sums.
        for (List<DecodeStep> part : engine.batchInvariant() ? steps.stream().map(List::of).toList() : List.of(steps)) {
            long p0 = System.nanoTime();
            int base = logits.size();
            try {
                // Rows valid until the context's next decode (no vocabulary-sized allocation per row):
                // every generation consumes its rows below, before the next decode. Batch-invariant
                // verification decodes again before then, so it takes fresh arrays.
                logits.addAll(engine.batchInvariant() ? context.decode(part) : context.decodeTransient(part));
            } catch (PartialDecodeException e) {
                logits.addAll(e.results());
                e.failures().forEach((i, why) -> failAlone(verifying.get(base + i), why));
            } catch (EngineException e) {
                if (part.size() > 1) throw e; // the whole batch's failure: run() ends its requests
                logits.add(null);
                failAlone(verifying.get(base), e);
            }
            // The compute time of the decode: what the cost model learns.
            verifyNanos += context.lastDecodeNanos(System.nanoTime() - p0);
        }
        decodeNanos += verifyNanos;
        costs.observeVerify(batchTokens, verifyNanos);
        for (int i = 0; i < verifying.size(); i++) {
            Job job = verifying.get(i);
            if (logits.get(i) == null || job.generation.isDone()) continue;
            try {
                job.generation.onVerifyLogits(logits.get(i), verifyNanos);
            } catch (RuntimeException e) {
                failAlone(job, e);
                continue;
            }
            if (job.generation.isDone()) release(job);
        }
        // Sampling, verification, drafting's host side and emission: a cost per turn that longer
        // drafts amortise.
        costs.observeTurnOverhead(System.nanoTime() - start - decodeNanos);
    }

    /**
     * Decodes the round's draft steps until every draft is complete: each pass decodes, for each
     * draft model, the next step of every sequence drafting with it in one batch.
     *
     * @return the compute time of the draft decodes
     */
    private long draftSteps() {
        long total = 0;
        while (true) {
            Map<ModelContext, List<Job>> byModel = new LinkedHashMap<>();
            for (Job job : running) {
                if (!job.generation.isDone() && job.generation.draftStep() != null) {
                    byModel.computeIfAbsent(job.generation.draftContext(), c -> new ArrayList<>()).add(job);
                }
            }
            if (byModel.isEmpty()) return total;
            for (var e : byModel.entrySet()) {
                if (engine.batchInvariant()) {
                    for (Job job : e.getValue()) total += draftStep(e.getKey(), List.of(job));
                } else {
                    total += draftStep(e.getKey(), e.getValue());
                }
            }
        }
    }

    private long draftStep(ModelContext context, List<Job> jobs) {
        List<DecodeStep> steps = new ArrayList<>(jobs.size());
        int tokens = 0;
        for (Job job : jobs) {
            DecodeStep s = job.generation.draftStep();
            steps.add(s);
            tokens += s.tokens().length;
        }
        long t0 = System.nanoTime();
        List<float[][]> rows;
        try {
            rows = context.decodeTransient(steps); // consumed below, before this context decodes again
        } catch (PartialDecodeException e) {
            rows = e.results();
        } catch (EngineException e) {
            // The draft model's cache, not the requests, failed: they go on without this draft.
            LOG.debugf("a draft step of engine %s failed: %s", engine.id(), e.getMessage());
            for (Job job : jobs) job.generation.onDraftFailed();
            return context.lastDecodeNanos(System.nanoTime() - t0);
        }
        long nanos = context.lastDecodeNanos(System.nanoTime() - t0);
        costs.observeDraft(draftKeys.get(context), tokens, nanos);
        long share = nanos / jobs.size();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (rows.get(i) == null) {
                job.generation.onDraftFailed();
                continue;
            }
            try {
                job.generation.onDraftLogits(rows.get(i)[0], share);
            } catch (RuntimeException e) {
                ledger.workedAside(job);
                failAlone(job, e);
            }
        }
        return nanos;
    }

    /** Gives a request its sequence slot and generation. */
    private void admit(Job job) {
        try {
            Pipeline p = job.pipeline;
            Sampler sampler = new Sampler(job.request.sampling());
            RequestClass cls = RequestClass.of(job.request.speculation().mode(), job.request.sampling());
            var drafters = p.drafters(job.request, sampler);
            Generation generation = new Generation(job.request, engine.target().vocab(), sampler,
                    drafters, p.plan().sequenceBudget(), event -> emit(job, event), round -> {
                        p.profile().observe(cls, round);
                        ledger.round(job, round);
                    }, DraftLength.of(job.request.speculation(), p.profile(), cls, telemetry),
                    p.selection(job.request, drafters, cls));
            generation.attach(engine.context().openSequence());
            job.generation = generation;
            job.requestClass = cls;
            ledger.admitted(job);
            running.add(job);
            runningCount = running.size();
        } catch (RuntimeException e) {
            LOG.errorf(e, "admitting a request to engine %s failed", engine.id());
            // Never leave a request waiting for a generation that will not run.
            job.sink.onEvent(new GenerationEvent.Done(FinishReason.ERROR, job.request.prompt().length, 0,
                    String.valueOf(e.getMessage()), null));
        }
    }

    private void emit(Job job, GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Text t -> {
                if (job.cancelled) return;
                ledger.text(job, t);
                job.sink.onEvent(t);
            }
            case GenerationEvent.Done d -> ledger.ended(job, d); // sent at the end of the turn, with its joules
        }
    }

    /** Ends one generation whose own step failed: the others that share the turn are not to blame. */
    private void failAlone(Job job, RuntimeException e) {
        if (e instanceof EngineException) LOG.warnf("a generation of %s failed: %s", job.pipeline, e.getMessage());
        else LOG.errorf(e, "a generation of %s failed", job.pipeline);
        end(job, FinishReason.ERROR, String.valueOf(e.getMessage()));
    }

    private void end(Job job, FinishReason reason, String error) {
        try {
            job.generation.abort(reason, error);
        } catch (RuntimeException e) {
            LOG.warnf(e, "ending a generation of engine %s failed", engine.id());
        }
        release(job);
    }

    private void release(Job job) {
        if (!running.remove(job)) return;
        runningCount = running.size();
        try {
            Sequence sequence = job.generation.sequence();
            if (sequence != null) sequence.close();
        } catch (RuntimeException e) {
            LOG.warnf(e, "freeing a sequence of engine %s failed", engine.id());
        }
    }

    /** Ends a running request with a failure in place of its normal end, which must not reach the client. */
    private void fail(Job job, SchedulerException failure) {
        boolean gone = job.cancelled;
        job.cancelled = true; // from now on emit() drops the generation's events, its Done included
        end(job, FinishReason.CANCELLED, failure.getMessage());
        if (!gone) job.sink.onFailure(failure);
    }

    /** Ends every request, running or waiting. */
    void failAll(SchedulerException why) {
        for (Job job : List.copyOf(running)) fail(job, why);
        queue.failAll(why);
        closeTurn();
    }

    /** The turn's energy split, the Done events of the requests that ended in it sent, the engine's state reported. */
    private void closeTurn() {
        try {
            ledger.close(running.size(), queue.size(), engine.context().usedCells());
        } catch (Throwable e) { // as in run(): the engine must live on
            LOG.errorf(e, "closing a turn of engine %s failed", engine.id());
        }
    }
}
