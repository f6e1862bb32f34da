package dev.specd.sched;

import dev.specd.draft.Confidence;
import dev.specd.draft.Drafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.PromptLookupDrafter;
import dev.specd.draft.SuffixCache;
import dev.specd.draft.SuffixDrafter;
import dev.specd.engine.ModelBackend;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.DraftSelection;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.DrafterSelection;
import dev.specd.runtime.GenerationRequest;
import dev.specd.runtime.adaptive.PipelineProfile;
import dev.specd.runtime.adaptive.RequestClass;
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
    /** The suffix tree over this preset's earlier requests; null without a global suffix drafter. Engine thread only. */
    private final SuffixCache suffixes;
    /** Drafter selection's per-class estimates, shared by this preset's requests. Engine thread only. */
    private final DrafterSelection.Priors selectionPriors = new DrafterSelection.Priors();

    Pipeline(ExecutionPlan plan, Engine engine, PipelineProfile profile) {
        this.plan = plan;
        this.engine = engine;
        this.profile = profile;
        this.suffixes = plan.drafters().stream().filter(d -> d instanceof DraftPlan.Suffix x && x.global())
                .map(d -> (DraftPlan.Suffix) d).findFirst()
                .map(x -> new SuffixCache(x.depth(), x.maxNodes(), (nodes, bytes, sequences) ->
                        engine.telemetry().suffixTree(plan.id(), nodes, bytes, sequences)))
                .orElse(null);
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
        // A seeded sampled request must give the same answer every time it runs alone; drafts from
        // the tree over earlier requests would change which random numbers its sampling uses.
        boolean reproducible = !request.sampling().isGreedy() && request.sampling().seed().isPresent();
        List<Drafter> out = new ArrayList<>();
        for (DraftPlan d : plan.drafters()) {
            out.add(switch (d) {
                case DraftPlan.Model m -> new ModelDrafter(engine.draftContext(m.model().key()), draftParams,
                        new Sampler(draftParams), confidence, draftLogprobs);
                case DraftPlan.Lookup l -> new PromptLookupDrafter(l.ngramMin(), l.ngramMax());
                case DraftPlan.Suffix x -> new SuffixDrafter(x.depth(), x.factor(), x.minProb(),
                        x.global() && !reproducible ? suffixes : null);
            });
        }
        return out;
    }

    /**
     * The request's drafter selection, or null when it takes the first drafter that proposes: the
     * plan's order, or a BiLD cascade (whose draft model runs unverified: no round to score it by).
     */
    DrafterSelection selection(GenerationRequest request, List<Drafter> drafters, RequestClass cls) {
        var s = request.speculation();
        if (drafters.isEmpty() || s.selection() != DraftSelection.ADAPTIVE) return null;
        if (s.mode() == SpeculationMode.CASCADE && !s.cascade().rule().speculative()) return null;
        return new DrafterSelection(drafters, selectionPriors, cls.key(), engine.costs(), plan.draftModelKey());
    }

    @Override
    public String toString() {
        return "pipeline " + id() + " on engine " + engine.id();
    }
}
