package dev.specd.plan;

/** A drafter the runtime instantiates for each request. */
public sealed interface DraftPlan {

    String describe();

    /** @param contextLength KV cells of the shared draft context */
    record Model(ModelRef model, int contextLength) implements DraftPlan {
        @Override
        public String describe() {
            return "model " + model.describe() + " (context " + contextLength + ")";
        }
    }

    record Lookup(int ngramMin, int ngramMax) implements DraftPlan {
        @Override
        public String describe() {
            return "prompt lookup n-gram " + ngramMax + ".." + ngramMin;
        }
    }

    /** Suffix matching over this request and (with {@code global}) earlier ones; see {@link DrafterSpec.Suffix}. */
    record Suffix(int depth, double factor, double minProb, boolean global, int maxNodes) implements DraftPlan {
        @Override
        public String describe() {
            return "suffix tree depth " + depth + ", draft <= " + factor + " x match, min prob " + minProb
                    + (global ? ", over earlier requests too (<= " + maxNodes + " nodes)" : ", this request only");
        }
    }
}
