package dev.specd.sched;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.plan.ExecutionPlan;
import dev.specd.runtime.FinishReason;
import dev.specd.runtime.Generation;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.Sampler;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns a pipeline's llama.cpp context. Each turn it admits waiting requests
 * into free sequence slots, then decodes the next step of every running generation in one
 * multi-sequence batch (continuous batching: a prompt prefill rides along with other sequences'
 * single tokens), and hands each generation its logits. Cancelled requests (the client went away)
 * are dropped at the next turn and their KV cells freed.
 */
public final class EngineLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EngineLoop.class);

    private final ExecutionPlan plan;
    private final ModelBackend target;
    private final ModelContext context;
    private final BlockingQueue<Job> waiting;
    private final List<Job> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile int runningCount;

    private static final class Job {
        final GenerationRequest request;
        final MultiEmitter<? super GenerationEvent> emitter;
        volatile boolean cancelled;
        Generation generation;

        Job(GenerationRequest request, MultiEmitter<? super GenerationEvent> emitter) {
            this.request = request;
            this.emitter = emitter;
        }
    }

    /** Starts the loop; it owns {@code target} from now on and closes it in {@link #close()}. */
    public EngineLoop(ExecutionPlan plan, ModelBackend target, int queueCapacity) {
        this.plan = plan;
        this.target = target;
        this.context = target.newContext(new ContextOptions(plan.contextLength(), plan.sequences(),
                Math.min(plan.contextLength(), 512), plan.threads(), false));
        this.waiting = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().name("specd-engine-" + plan.id()).daemon(true).unstarted(this::run);
        thread.start();
    }

    public ExecutionPlan plan() {
        return plan;
    }

    public ModelBackend target() {
        return target;
    }

    public int runningSequences() {
        return runningCount;
    }

    public int waitingRequests() {
        return waiting.size();
    }

    /**
     * Queues a generation. The returned stream emits its events; cancelling the subscription
     * cancels the generation. Fails at once with {@link QueueFullException} when the queue is full.
     */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        if (stopping) throw new IllegalStateException("pipeline " + plan.id() + " is shutting down");
        return Multi.createFrom().emitter(emitter -> {
            Job job = new Job(request, emitter);
            emitter.onTermination(() -> job.cancelled = true);
            if (!waiting.offer(job)) {
                emitter.fail(new QueueFullException(plan.id(), waiting.size(), 1));
            }
        });
    }

    private void run() {
        while (!stopping) {
            try {
                turn();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.errorf(e, "engine turn of pipeline %s failed", plan.id());
                for (Job job : List.copyOf(running)) end(job, FinishReason.ERROR, e.getMessage());
            }
        }
        for (Job job : List.copyOf(running)) end(job, FinishReason.CANCELLED, "server shutting down");
        for (Job job; (job = waiting.poll()) != null; ) job.emitter.fail(new IllegalStateException("server shutting down"));
    }

    private void turn() throws InterruptedException {
        for (Job job : List.copyOf(running)) {
            if (job.cancelled) end(job, FinishReason.CANCELLED, null);
        }
        if (running.isEmpty()) {
            Job first = waiting.poll(200, TimeUnit.MILLISECONDS);
            if (first == null) return;
            admit(first);
        }
        while (running.size() < plan.sequences()) {
            Job next = waiting.poll();
            if (next == null) break;
            admit(next);
        }
        if (running.isEmpty()) return;
        List<Job> stepping = List.copyOf(running);
        List<DecodeStep> steps = new ArrayList<>(stepping.size());
        for (Job job : stepping) steps.add(job.generation.nextStep());
        List<float[][]> logits = context.decode(steps);
        for (int i = 0; i < stepping.size(); i++) {
            Job job = stepping.get(i);
            float[][] rows = logits.get(i);
            job.generation.onLogits(rows[rows.length - 1]);
            if (job.generation.isDone()) release(job);
        }
    }

    private void admit(Job job) {
        if (job.cancelled) return;
        Generation generation = new Generation(job.request, target.vocab(), new Sampler(job.request.sampling()),
                plan.sequenceBudget(), event -> emit(job, event));
        generation.attach(context.openSequence());
        job.generation = generation;
        running.add(job);
        runningCount = running.size();
    }

    private static void emit(Job job, GenerationEvent event) {
        if (job.cancelled) return;
        job.emitter.emit(event);
        if (event instanceof GenerationEvent.Done) job.emitter.complete();
    }

    private void end(Job job, FinishReason reason, String error) {
        job.generation.abort(reason, error);
        release(job);
    }

    private void release(Job job) {
        job.generation.sequence().close();
        running.remove(job);
        runningCount = running.size();
    }

    /**
     * Stops the loop: running generations end as cancelled, waiting ones fail, and the context and
     * the target model (owned by this loop) are freed.
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
        target.close();
    }
}
