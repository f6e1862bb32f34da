package dev.specd.sched;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.runtime.Calibration;
import dev.specd.runtime.DraftLength;
import dev.specd.runtime.PipelineProfile;
import dev.specd.runtime.RequestClass;
import dev.specd.runtime.EnergyAccount;
import dev.specd.runtime.Telemetry;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.Generation;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.Sampler;
import io.smallrye.mutiny.Multi;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one thread that owns a pipeline's llama.cpp context. Each turn it admits waiting requests
 * into free sequence slots, then decodes the next step of every running generation in one
 * multi-sequence batch (continuous batching: a prompt prefill rides along with other sequences'
 * single tokens), and hands each generation its logits. Cancelled requests (the client went away)
 * are dropped at the next turn and their KV cells freed.
 * <p>
 * Every request has a deadline, the {@link SchedulerLimits#requestTimeout() request timeout} after
 * it entered the queue: a turn ends the requests past it, waiting or running, with a
 * {@link RequestTimeoutException}. {@link #drain(Duration)} stops admission for a graceful shutdown.
 * <p>
 * The loop reports its work to a {@link Telemetry} and charges each turn's energy to the requests
 * in it ({@link TurnLedger}); a request's Done event carries its joules.
 */
public final class EngineLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EngineLoop.class);

    /** How long {@link #drain} waits, after its timeout, for the engine thread to fail what is left. */
    private static final Duration ABANDON_WAIT = Duration.ofSeconds(10);

    private final ExecutionPlan plan;
    private final ModelBackend target;
    private final ModelContext context;
    private final Drafting drafting;
    /** Acceptance and cost measurements: the adaptive policy's input, saved as the pipeline's profile. */
    private final PipelineProfile profile;
    private final TurnLedger ledger;
    /** For the draft-length policies' decisions (k, deoptimisations); the ledger reports the rest. */
    private final Telemetry telemetry;
    private final Admission queue;
    private final List<Job> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    /** Set by {@link #drain}: no more submissions. */
    private volatile boolean draining;
    /** Set by {@link #drain} when its time is up: fail whatever is left. */
    private volatile boolean abandoning;
    /** Opened by the engine thread once draining left nothing waiting or running, or when it ends. */
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile int runningCount;

    /** A target-only loop. */
    public EngineLoop(ExecutionPlan plan, ModelBackend target, int queueCapacity) {
        this(plan, target, List.of(), queueCapacity);
    }

    /** A loop with the default request timeout. */
    public EngineLoop(ExecutionPlan plan, ModelBackend target, List<ModelBackend> draftModels, int queueCapacity) {
        this(plan, target, draftModels, SchedulerLimits.DEFAULT.withQueueCapacity(queueCapacity));
    }

    /**
     * Starts the loop; it owns {@code target} and {@code draftModels} from now on and closes them
     * in {@link #close()}.
     *
     * @param draftModels one loaded model per {@link DraftPlan.Model} of the plan, in plan order
     */
    public EngineLoop(ExecutionPlan plan, ModelBackend target, List<ModelBackend> draftModels, SchedulerLimits limits) {
        this(plan, target, draftModels, limits, Telemetry.NONE, EnergyAccount.unmetered(),
                new PipelineProfile(plan.id()));
    }

    /**
     * The server's loop: reports to {@code telemetry}, charges energy to its requests, and
     * speculates from (and refines) the pipeline's {@code profile}.
     *
     * @param energy  shared by all the loops of the process, so that no joule is charged twice
     *                ({@link EnergyAccount#unmetered()} for none)
     * @param profile what the pipeline measured before (a saved profile: no calibration needed),
     *                or a fresh one, calibrated before the first request
     */
    public EngineLoop(ExecutionPlan plan, ModelBackend target, List<ModelBackend> draftModels, SchedulerLimits limits,
                      Telemetry telemetry, EnergyAccount energy, PipelineProfile profile) {
        this(plan, target, draftModels, limits, telemetry, energy, System::nanoTime, profile);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()}: tests pass one they move on themselves */
    EngineLoop(ExecutionPlan plan, ModelBackend target, List<ModelBackend> draftModels, SchedulerLimits limits,
               Telemetry telemetry, EnergyAccount energy, LongSupplier clock) {
        this(plan, target, draftModels, limits, telemetry, energy, clock, new PipelineProfile(plan.id()));
    }

    private EngineLoop(ExecutionPlan plan, ModelBackend target, List<ModelBackend> draftModels, SchedulerLimits limits,
                       Telemetry telemetry, EnergyAccount energy, LongSupplier clock, PipelineProfile profile) {
        this.plan = plan;
        this.profile = profile;
        this.target = target;
        this.ledger = new TurnLedger(plan.id(), telemetry, energy, clock);
        this.telemetry = telemetry;
        int batch = Math.max(512, plan.sequences() * plan.verifyRows());
        this.context = target.newContext(new ContextOptions(plan.contextLength(), plan.sequences(),
                Math.min(plan.contextLength(), batch), plan.threads(), false));
        this.drafting = new Drafting(plan, draftModels);
        this.queue = new Admission(plan.id(), limits, clock);
        this.thread = Thread.ofPlatform().name("specd-engine-" + plan.id()).daemon(true).unstarted(this::run);
        thread.start();
    }

    public ExecutionPlan plan() {
        return plan;
    }

    public ModelBackend target() {
        return target;
    }

    public PipelineProfile profile() {
        return profile;
    }

    public int runningSequences() {
        return runningCount;
    }

    public int waitingRequests() {
        return queue.size();
    }

    /** The most a request may take, its time in the queue included; the loop ends it by then. */
    public Duration requestTimeout() {
        return queue.requestTimeout();
    }

    /**
     * Queues a generation. The returned stream emits its events; cancelling the subscription
     * cancels the generation. Fails at once with {@link QueueFullException} when the queue is full,
     * and with {@link ShuttingDownException} once the loop drains; fails later with
     * {@link RequestTimeoutException} when the request outlives the request timeout.
     */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        if (draining || stopping) throw new ShuttingDownException(plan.id());
        // Subscribing is what queues the request (and starts its deadline).
        return Multi.createFrom().emitter(emitter -> {
            if (draining || stopping) emitter.fail(new ShuttingDownException(plan.id()));
            else queue.offer(request, emitter);
        });
    }

    /**
     * Graceful shutdown: refuses new requests from now on, lets the waiting and running ones finish
     * until {@code timeout}, then fails those left with {@link ShuttingDownException}. The loop
     * keeps its contexts and models until {@link #close()}.
     *
     * @return whether every request finished on its own
     */
    public boolean drain(Duration timeout) {
        draining = true;
        try {
            if (drained.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) return true;
            int left = runningCount + queue.size();
            abandoning = true;
            // One more turn fails what is left: a turn is one batch decode, far below this bound.
            if (!drained.await(ABANDON_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warnf("pipeline %s: the engine thread did not end its requests within %s", plan.id(), ABANDON_WAIT);
            }
            LOG.warnf("pipeline %s: drain timeout %s reached; ended %d unfinished requests", plan.id(), timeout, left);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoning = true;
            return false;
        }
    }

    private void run() {
        // Only the adaptive policy reads the cost model; a request that asks for it on another
        // pipeline drafts a fixed k until online measurements arrive.
        if (!profile.calibrated() && plan.mode() != SpeculationMode.OFF
                && plan.policy().policy() == SpeculationPolicy.ADAPTIVE) {
            Calibration.runLogged(context, drafting.modelContexts(), Math.max(0, target.vocab().bos()), profile);
        }
        while (!stopping) {
            try {
                turn();
            } catch (InterruptedException e) {
                break;
            } catch (Throwable e) {
                // Whatever broke, the loop must live on: a dead engine thread would leave every
                // current and future request of the pipeline waiting forever.
                LOG.errorf(e, "engine turn of pipeline %s failed", plan.id());
                for (Job job : List.copyOf(running)) end(job, FinishReason.ERROR, String.valueOf(e.getMessage()));
            } finally {
                closeTurn();
            }
        }
        failAll();
        closeTurn();
        drained.countDown();
    }

    /** The turn's energy split, the Done events of the requests that ended in it sent, the loop's state reported. */
    private void closeTurn() {
        try {
            ledger.close(running.size(), queue.size(), context.usedCells());
        } catch (Throwable e) { // as in run(): the engine thread must live on
            LOG.errorf(e, "closing an engine turn of pipeline %s failed", plan.id());
        }
    }

    private void turn() throws InterruptedException {
        if (abandoning) failAll();
        long now = queue.now();
        for (Job job : List.copyOf(running)) {
            if (job.cancelled) end(job, FinishReason.CANCELLED, null);
            else if (job.expired(now)) fail(job, queue.timeout(true));
        }
        queue.dropExpired(now);
        if (draining && running.isEmpty() && queue.isEmpty()) drained.countDown();
        if (running.isEmpty()) {
            Job first = queue.poll(200);
            if (first == null) return;
            ledger.wokeUp();
            admit(first);
        }
        while (running.size() < plan.sequences()) {
            Job next = queue.poll();
            if (next == null) break;
            admit(next);
        }
        if (running.isEmpty()) return;
        List<Job> needTarget = new ArrayList<>(running.size());
        List<DecodeStep> steps = new ArrayList<>(running.size());
        int batchTokens = 0;
        for (Job job : List.copyOf(running)) {
            DecodeStep step;
            try {
                step = job.generation.nextStep(running.size()); // drafting happens here
            } catch (RuntimeException e) {
                ledger.workedAside(job);
                failAlone(job, e);
                continue;
            }
            if (job.generation.isDone()) {
                ledger.workedAside(job);
                release(job); // a cascade that finished on the draft model alone
            } else {
                ledger.decoded(job, step.tokens().length);
                batchTokens += step.tokens().length;
                needTarget.add(job);
                steps.add(step);
            }
        }
        if (steps.isEmpty()) return;
        long t0 = System.nanoTime();
        // Rows valid until the next decode: every generation consumes its own in onLogits below.
        List<float[][]> logits = context.decodeTransient(steps); // a failure here is the whole batch's: run() ends them
        // The compute time, without waiting for another pipeline's decode: what the cost model learns.
        long verifyNanos = context.lastDecodeNanos(System.nanoTime() - t0);
        profile.observeVerify(batchTokens, verifyNanos);
        long verifyPhase = System.nanoTime();
        for (int i = 0; i < needTarget.size(); i++) {
            Job job = needTarget.get(i);
            try {
                job.generation.onLogits(logits.get(i), verifyNanos);
            } catch (RuntimeException e) {
                failAlone(job, e);
                continue;
            }
            if (job.generation.isDone()) release(job);
        }
        // Sampling, verification and emission: a cost per turn that longer drafts amortise.
        profile.observeTurnOverhead(System.nanoTime() - verifyPhase);
    }

    /**
     * Ends one generation whose own step failed (sampling its logits, drafting): the others that
     * share the turn are not to blame and go on.
     */
    private void failAlone(Job job, RuntimeException e) {
        LOG.errorf(e, "a generation of pipeline %s failed", plan.id());
        end(job, FinishReason.ERROR, String.valueOf(e.getMessage()));
    }

    /** Ends every request, running or waiting, as the loop goes down. */
    private void failAll() {
        for (Job job : List.copyOf(running)) fail(job, new ShuttingDownException(plan.id()));
        queue.failAll(new ShuttingDownException(plan.id()));
    }

    /** Gives a request (one {@link Admission} found admissible) its sequence slot and generation. */
    private void admit(Job job) {
        try {
            Sampler sampler = new Sampler(job.request.sampling());
            RequestClass cls = RequestClass.of(job.request.speculation().mode(), job.request.sampling());
            Generation generation = new Generation(job.request, target.vocab(), sampler,
                    drafting.forRequest(job.request, sampler), plan.sequenceBudget(), event -> emit(job, event), round -> {
                        profile.observe(cls, round);
                        ledger.round(job, round);
                    }, DraftLength.of(job.request.speculation(), profile, cls, telemetry));
            generation.attach(context.openSequence());
            job.generation = generation;
            ledger.admitted(job);
            running.add(job);
            runningCount = running.size();
        } catch (RuntimeException e) {
            LOG.errorf(e, "admitting a request to pipeline %s failed", plan.id());
            job.emitter.fail(e); // never leave a request waiting for a generation that will not run
        }
    }

    private void emit(Job job, GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Text t -> {
                if (job.cancelled) return;
                ledger.text(job, t);
                job.emitter.emit(t);
            }
            case GenerationEvent.Done d -> ledger.ended(job, d); // sent at the end of the turn, with its joules
        }
    }

    private void end(Job job, FinishReason reason, String error) {
        try {
            job.generation.abort(reason, error);
        } catch (RuntimeException e) {
            LOG.warnf(e, "ending a generation of pipeline %s failed", plan.id());
            job.emitter.fail(e);
        }
        release(job);
    }

    private void release(Job job) {
        running.remove(job);
        runningCount = running.size();
        try {
            Sequence sequence = job.generation.sequence();
            if (sequence != null) sequence.close();
        } catch (RuntimeException e) {
            LOG.warnf(e, "freeing a sequence of pipeline %s failed", plan.id());
        }
    }

    /** Ends a running request with a failure in place of its normal end, which must not reach the client. */
    private void fail(Job job, RuntimeException failure) {
        job.cancelled = true; // from now on emit() drops the generation's events, its Done included
        end(job, FinishReason.CANCELLED, failure.getMessage());
        job.emitter.fail(failure);
    }

    /**
     * Stops the loop at once: running and waiting requests fail with {@link ShuttingDownException}
     * ({@link #drain} first lets them finish), and the contexts and the models (owned by this
     * loop) are freed.
     */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
        drafting.close();
        target.close();
    }
}
