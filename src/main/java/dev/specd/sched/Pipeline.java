package dev.specd.sched;

import dev.specd.draft.Confidence;
import dev.specd.draft.Drafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.PromptLookupDrafter;
import dev.specd.engine.ModelBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline as the server serves it: a <em>preset</em> — drafters, speculation settings, request
 * defaults, its own acceptance profile — over the engine of its target model. Requests of every
 * preset of an engine wait in one queue and are verified in one batch per turn; what a preset
 * decides is only what its requests draft and how.
 */
public final class Pipeline {

    private final ExecutionPlan plan;
    private final Engine engine;
    private final PipelineProfile profile;

    Pipeline(ExecutionPlan plan, Engine engine, PipelineProfile profile) {
        this.plan = plan;
        this.engine = engine;
        this.profile = profile;
    }

    public String id() {
        return plan.id();
    }

    public ExecutionPlan plan() {
        return plan;
    }

    public Engine engine() {
        return engine;
    }

    public PipelineProfile profile() {
        return profile;
    }

    /** The engine's target model (vocabulary, chat template). */
    public ModelBackend target() {
        return engine.target();
    }

    /** The most a request may take, its time in the queue included; the engine ends it by then. */
    public Duration requestTimeout() {
        return engine.requestTimeout();
    }

    /**
     * Queues a generation on the engine; its events go to {@code sink} from the engine thread.
     *
     * @throws QueueFullException    when the engine's queue is full (nothing was queued)
     * @throws ShuttingDownException once the engine drains
     */
    public Submission submit(GenerationRequest request, GenerationSink sink) {
        return engine.submit(this, request, sink);
    }

    /** Fresh drafters for one request, as the plan lists them; none when the request turned speculation off. */
    List<Drafter> drafters(GenerationRequest request, Sampler targetSampler) {
        if (request.speculation().mode() == SpeculationMode.OFF) return List.of();
        // The draft samples from its own stream: derived from the request's seed, so a seed still
        // reproduces the whole run, but never the same numbers the verification consumes.
        SamplingParams draftParams = request.sampling()
                .withSeed(targetSampler.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        // The cascade's measure decides when the draft model hands over; otherwise the policy's
        // measure feeds the early stop of lossless drafts.
        CascadeSpec.Confidence measure = request.speculation().mode() == SpeculationMode.CASCADE
                ? request.speculation().cascade().confidence() : request.speculation().policy().confidence();
        Confidence confidence = measure == CascadeSpec.Confidence.ENTROPY ? new Confidence.Entropy()
                : new Confidence.MaxProb();
        // Only a cascade emits draft tokens the target never scored: their log-probabilities come
        // from the draft model. Lossless drafts are all verified, so the target's rows serve them.
        int draftLogprobs = request.speculation().mode() == SpeculationMode.CASCADE
                ? request.logprobs() : GenerationRequest.NO_LOGPROBS;
        List<Drafter> out = new ArrayList<>();
        for (DraftPlan d : plan.drafters()) {
            out.add(switch (d) {
                case DraftPlan.Model m -> new ModelDrafter(engine.draftContext(m.model().key()), draftParams,
                        new Sampler(draftParams), confidence, draftLogprobs);
                case DraftPlan.Lookup l -> new PromptLookupDrafter(l.ngramMin(), l.ngramMax());
            });
        }
        return out;
    }

    @Override
    public String toString() {
        return "pipeline " + id() + " on engine " + engine.id();
    }
}
