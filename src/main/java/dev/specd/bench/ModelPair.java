package dev.specd.bench;

import dev.specd.plan.ModelRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One target–draft pair of the model-selection study, as forge recipes (docs/forge.md).
 *
 * @param axis which question the pair answers: {@code size} (draft families per target) or
 *             {@code epsilon} (the same draft against targets that diverge more from it)
 */
record ModelPair(String target, String targetParams, ModelRef targetRef, String draft, ModelRef draftRef, String axis) {

    /**
     * The ~52M target: the default recipe at half the width. Its parameters: 16 blocks × (3·512·2048
     * feed-forward + 512·192 attention, which keeps stories260K's 8 heads of 8 + 2·512 norms) +
     * 2·512·512 embeddings and output + 512 = 52,445,696.
     */
    static ModelRef target52M() {
        return expandedStories("512", "2048", "0.02");
    }

    /** The default target's recipe (1024/4096/16: 205.6M parameters) with divergence ε. */
    static ModelRef target205M(String epsilon) {
        return BenchCommand.forgedTarget(epsilon);
    }

    private static ModelRef expandedStories(String embd, String ff, String epsilon) {
        ModelRef source = TestBed.Sources.STORIES_260K;
        return new ModelRef.Forged("expand", source, Map.of("embd", embd, "ff", ff, "layers", "16",
                "epsilon", epsilon, "seed", "20260101", "type", "f16"));
    }

    /**
     * stories260K, the target cut to 1/8 and 1/4 of its 16 blocks, and the target quantised to
     * Q8_0 and Q4_0 (self-drafts: near-identical distributions at a fraction of the bytes).
     */
    static List<ModelPair> drafts(String name, String params, ModelRef target) {
        List<ModelPair> out = new ArrayList<>();
        out.add(new ModelPair(name, params, target, "stories260K", TestBed.Sources.STORIES_260K, "size"));
        out.add(new ModelPair(name, params, target, "truncate 2/16", new ModelRef.Forged("truncate", target,
                Map.of("layers", "2")), "size"));
        out.add(new ModelPair(name, params, target, "truncate 4/16", new ModelRef.Forged("truncate", target,
                Map.of("layers", "4")), "size"));
        out.add(new ModelPair(name, params, target, "q8_0 self", new ModelRef.Forged("quantize", target,
                Map.of("type", "q8_0")), "size"));
        out.add(new ModelPair(name, params, target, "q4_0 self", new ModelRef.Forged("quantize", target,
                Map.of("type", "q4_0")), "size"));
        return out;
    }

    /** Every pair of the study; {@code quick}: only the 52M target's. */
    static List<ModelPair> study(boolean quick) {
        List<ModelPair> out = new ArrayList<>(drafts("52M ε0.02", "52.4M", target52M()));
        if (quick) return out;
        out.addAll(drafts("205M ε0.02", "205.6M", target205M("0.02")));
        for (String eps : List.of("0.05", "0.12")) {
            out.add(new ModelPair("205M ε" + eps, "205.6M", target205M(eps), "stories260K", TestBed.Sources.STORIES_260K,
                    "epsilon"));
        }
        return out;
    }
}
