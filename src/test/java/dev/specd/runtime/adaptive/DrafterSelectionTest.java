package dev.specd.runtime.adaptive;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.DraftSelection;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drafter selection on scripted drafters: whatever the order they are listed in, the rounds go to
 * the drafter whose drafts the target accepts most within 32 rounds — learnt from counterfactual
 * scores of every drafter's proposals, since only one drafts each round — and to none when no
 * drafter is worth a verify row.
 */
class DrafterSelectionTest {

    /** A CPU-like verify cost: a fixed part and a part per row. */
    static final IntToLongFunction COSTS = n -> 10_000_000L + 1_500_000L * n;
    static final SpeculationSpec SELECT = new SpeculationSpec(SpeculationMode.LOSSLESS, 8, CascadeSpec.DEFAULT,
            PolicySpec.STATIC, DraftSelection.ADAPTIVE);

    @Test
    void theBestDrafterWinsWithin32RoundsWhereverItIsListed() {
        for (int order = 0; order < 3; order++) {
            List<dev.specd.draft.Drafter> drafters = new java.util.ArrayList<>(List.of(
                    ScriptedPair.drafter("weak", 0.2, 1), ScriptedPair.drafter("middling", 0.55, 2),
                    ScriptedPair.drafter("best", 0.92, 3)));
            Collections.rotate(drafters, order);
            ScriptedPair pair = new ScriptedPair(SELECT, new PipelineProfile("p"), COSTS, drafters, 4096);
            for (int r = 0; r < 32; r++) pair.round(1);
            List<String> chosen = pair.drafters();
            List<String> last = chosen.subList(Math.max(0, chosen.size() - 8), chosen.size());
            System.out.println("order " + order + ": " + chosen);
            assertEquals(Collections.nCopies(8, "best"), last, "the last rounds of 32, listed " + drafters.stream()
                    .map(d -> ((dev.specd.draft.FreeDrafter) d).name()).toList());
        }
    }

    @Test
    void noDrafterAtAllWhenNoneEarnsItsRows() {
        // Rows cost as much as the fixed part: a draft right 5 % of the time never pays for itself.
        IntToLongFunction steep = n -> 1_000_000L * n;
        List<dev.specd.draft.Drafter> drafters = List.of(ScriptedPair.drafter("bad", 0.05, 4),
                ScriptedPair.drafter("worse", 0.02, 5));
        ScriptedPair pair = new ScriptedPair(SELECT, new PipelineProfile("p"), steep, drafters, 4096);
        int drafted = 0;
        for (int r = 0; r < 64; r++) if (pair.round(1) > 0 && r >= 32) drafted++;
        assertTrue(drafted == 0, "rounds 32..63 that drafted: " + drafted + " " + pair.drafters());
    }

    @Test
    void firstInOrderTakesTheFirstDrafterThatProposes() {
        List<dev.specd.draft.Drafter> drafters = List.of(ScriptedPair.drafter("weak", 0.2, 1),
                ScriptedPair.drafter("best", 0.92, 3));
        ScriptedPair pair = new ScriptedPair(SELECT.withSelection(DraftSelection.FIRST), new PipelineProfile("p"), COSTS,
                drafters, 4096);
        for (int r = 0; r < 16; r++) pair.round(1);
        assertEquals(Collections.nCopies(16, "weak"), pair.drafters());
    }
}
