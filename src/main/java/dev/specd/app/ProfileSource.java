package dev.specd.app;

import dev.specd.plan.ExecutionPlan;
import dev.specd.runtime.adaptive.CostModel;
import dev.specd.runtime.adaptive.PipelineProfile;

/** Where engines and presets get their profiles from: saved ones (the server), or fresh ones (tools). */
interface ProfileSource {

    /** Fresh profiles: nothing loaded, nothing kept. */
    ProfileSource FRESH = new ProfileSource() {
        @Override
        public CostModel openEngine(String engine, String key) {
            return new CostModel();
        }

        @Override
        public PipelineProfile openPreset(String engine, ExecutionPlan plan, CostModel costs) {
            return new PipelineProfile(plan.id(), ProfileStore.presetKey(plan), costs, plan.draftModelKey());
        }
    };

    CostModel openEngine(String engine, String key);

    PipelineProfile openPreset(String engine, ExecutionPlan plan, CostModel costs);
}
