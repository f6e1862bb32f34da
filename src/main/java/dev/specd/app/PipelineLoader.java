package dev.specd.app;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.models.ModelResolver;
import dev.specd.plan.DraftPlan;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.ModelRef;
import dev.specd.plan.VocabularyCheck;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads a plan's models (resolving, downloading or forging them first) and checks that their vocabularies agree. */
final class PipelineLoader {

    private static final Logger LOG = Logger.getLogger(PipelineLoader.class);

    /** The target and one model per model drafter, in plan order; the caller owns them. */
    record Models(ModelBackend target, List<ModelBackend> drafts) {
    }

    private PipelineLoader() {
    }

    static Models load(ExecutionPlan plan, ModelResolver resolver) {
        ModelBackend target = load(plan, plan.target(), resolver, "target");
        List<ModelBackend> drafts = new ArrayList<>();
        try {
            for (DraftPlan d : plan.drafters()) {
                if (!(d instanceof DraftPlan.Model m)) continue;
                ModelBackend draft = load(plan, m.model(), resolver, "draft");
                drafts.add(draft);
                VocabularyCheck.check(target.vocab(), draft.vocab(), plan.source());
            }
        } catch (RuntimeException e) {
            drafts.forEach(ModelBackend::close);
            target.close();
            throw e;
        }
        return new Models(target, drafts);
    }

    private static ModelBackend load(ExecutionPlan plan, ModelRef ref, ModelResolver resolver, String role) {
        Path file = resolver.resolve(ref);
        long t0 = System.nanoTime();
        ModelBackend model = LlamaBackend.load(file, new LoadOptions(plan.gpuLayers(), true));
        LOG.infof("pipeline %s: loaded %s model %s (%s, %,d parameters) in %.2f s", plan.id(), role, file,
                model.info().architecture(), model.info().parameters(), (System.nanoTime() - t0) / 1e9);
        return model;
    }
}
