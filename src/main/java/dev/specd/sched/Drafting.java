package dev.specd.sched;

import dev.specd.draft.Confidence;
import dev.specd.draft.Drafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.PromptLookupDrafter;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.SpeculationMode;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A pipeline's drafting side: its draft models with one context each (shared by the requests'
 * sequences), and the fresh drafters each request gets, as the plan lists them. Owned by the
 * engine loop and used on its thread only.
 */
final class Drafting implements AutoCloseable {

    private final ExecutionPlan plan;
    private final List<ModelBackend> models;
    /** One per drafter of the plan, in plan order; null for drafters without a model (prompt lookup). */
    private final List<ModelContext> contexts = new ArrayList<>();

    /** @param models one loaded model per {@link DraftPlan.Model} of the plan, in plan order; owned from now on */
    Drafting(ExecutionPlan plan, List<ModelBackend> models) {
        this.plan = plan;
        this.models = List.copyOf(models);
        int next = 0;
        for (DraftPlan d : plan.drafters()) {
            if (d instanceof DraftPlan.Model m) {
                contexts.add(this.models.get(next++).newContext(new ContextOptions(m.contextLength(), plan.sequences(),
                        Math.min(m.contextLength(), 512), plan.threads(), false)));
            } else {
                contexts.add(null);
            }
        }
    }

    /** The draft models' contexts (for calibration). */
    List<ModelContext> modelContexts() {
        return contexts.stream().filter(Objects::nonNull).toList();
    }

    /** Fresh drafters for one request, as the plan lists them; none when the request turned speculation off. */
    List<Drafter> forRequest(GenerationRequest request, Sampler targetSampler) {
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
        for (int i = 0; i < plan.drafters().size(); i++) {
            out.add(switch (plan.drafters().get(i)) {
                case DraftPlan.Model m -> new ModelDrafter(contexts.get(i), draftParams, new Sampler(draftParams),
                        confidence, draftLogprobs);
                case DraftPlan.Lookup l -> new PromptLookupDrafter(l.ngramMin(), l.ngramMax());
            });
        }
        return out;
    }

    @Override
    public void close() {
        for (ModelContext c : contexts) if (c != null) c.close();
        for (ModelBackend m : models) m.close();
    }
}
