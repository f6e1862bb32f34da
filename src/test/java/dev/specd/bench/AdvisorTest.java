package dev.specd.bench;

import dev.specd.plan.DrafterSpec;
import dev.specd.plan.ModelRef;
import dev.specd.plan.PipelineSpec;
import dev.specd.plan.PipelineSpecParser;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.runtime.adaptive.SpeedupModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The advisor's pure parts: counting by position, the choice of recommendation, the pipeline YAML. */
class AdvisorTest {

    private static final ModelRef STORIES = new ModelRef.File("stories260K.gguf", Optional.empty(), Optional.empty());

    /** verify(t) = 10 ms + 1 ms per extra row; overhead 0. */
    private static Prediction prediction(String label, double alpha, double draftMs, double watts) {
        double[] verify = new double[10];
        for (int t = 1; t < verify.length; t++) verify[t] = (10 + (t - 1)) * 1e6;
        double[] alphas = new double[8];
        java.util.Arrays.fill(alphas, alpha);
        DraftCandidate c = label.equals("lookup") ? DraftCandidate.parse("lookup")
                : new DraftCandidate(label, Optional.of(STORIES));
        return new Prediction(c, new SpeedupModel(alphas, verify, draftMs * 1e6, 0), 100, new long[8], new long[8],
                watts, Double.isNaN(watts) ? "none" : "model");
    }

    @Test
    void tallyCountsReachedAndAcceptedPositionsExactly() {
        PositionTally t = new PositionTally(4);
        t.round("p", SpeculationMode.LOSSLESS, new RoundRecord(4, 2, 2, false, 400, 1000, 5)); // positions 0, 1 accepted, 2 rejected
        t.round("p", SpeculationMode.LOSSLESS, new RoundRecord(4, 4, -1, true, 800, 3000, 5)); // all accepted
        t.round("p", SpeculationMode.LOSSLESS, new RoundRecord(0, 0, -1, false, 0, 0, 1)); // no draft: no round
        assertArrayEquals(new long[] {2, 2, 2, 1}, t.reached());
        assertArrayEquals(new long[] {2, 2, 1, 1}, t.accepted());
        assertEquals(2, t.rounds());
        assertEquals(150.0, t.draftNanosPerToken(), 1e-9); // median of 100 and 200 ns per drafted token
        assertEquals(2000.0, t.verifyNanos(5), 1e-9);
        assertEquals(0.0, t.verifyNanos(3), 1e-9);
        t.round("p", SpeculationMode.LOSSLESS, new RoundRecord(4, 0, 0, false, 40_000, 900_000, 5)); // a first round: prompt left-overs
        assertEquals(3000.0, t.verifyNanos(5), 1e-9, "the median shrugs off the outlier");
        t.reset();
        assertArrayEquals(new long[4], t.reached());
    }

    @Test
    void theBestCandidateAndKWin() {
        Prediction good = prediction("good", 0.9, 0.5, Double.NaN);
        Prediction poor = prediction("poor", 0.5, 0.5, Double.NaN);
        Recommendation r = Recommendation.choose(List.of(poor, good));
        assertEquals(good, r.pick().orElseThrow());
        assertEquals(good.best().k(), r.k());
        assertEquals(good.best().speedup(), r.speedup(), 1e-12);
        assertTrue(r.speedup() > 1.5, "α 0.9 at c 0.05 pays well: " + r.speedup());
        // The best k is the argmax of the predicted speed-ups.
        for (SpeedupModel.Point p : good.model().points()) assertTrue(p.speedup() <= r.speedup() + 1e-12);
    }

    @Test
    void targetOnlyWhenNothingBeatsItByTheMargin() {
        // α 0.05 with a draft as costly as the target: speculation only loses.
        Prediction bad = prediction("bad", 0.05, 10, Double.NaN);
        Recommendation r = Recommendation.choose(List.of(bad));
        assertTrue(r.targetOnly());
        assertEquals(0, r.k());
        assertEquals(1.0, r.speedup());
        assertEquals("off", AdviseCommand.recommendation(r).get("mode"));
        // --verify still has a speculating configuration to check: the candidate's best k >= 1.
        assertEquals(bad, Recommendation.bestSpeculating(List.of(bad)).orElseThrow());
        assertTrue(Recommendation.bestK(bad) >= 1);
    }

    @Test
    void aGainWithinTwoPercentIsNotWorthADraft() {
        // Tune α so that the best predicted speed-up lands in (1, 1.02).
        double lo = 0, hi = 1;
        Prediction p = null;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            p = prediction("marginal", mid, 2, Double.NaN);
            double s = p.best().speedup();
            if (s > 1.01) hi = mid;
            else lo = mid;
        }
        assertTrue(p.best().speedup() > 1.0 && p.best().speedup() < 1.02, "speed-up " + p.best().speedup());
        assertTrue(Recommendation.choose(List.of(p)).targetOnly());
    }

    @Test
    void joulesPerTokenOnlyWithAMeter() {
        assertNull(prediction("a", 0.8, 0.5, Double.NaN).joulesPerToken(4));
        Prediction metered = prediction("a", 0.8, 0.5, 20);
        SpeedupModel.Point p = metered.model().point(4);
        assertEquals(20 * p.roundNanos() / 1e9 / p.expectedTokens(), metered.joulesPerToken(4), 1e-12);
        assertEquals(null, ((Map<?, ?>) ((List<?>) prediction("a", 0.8, 0.5, Double.NaN).toMap().get("points"))
                .get(0)).get("joules_per_token"));
    }

    @Test
    void theWrittenPipelineParsesBackToTheRecommendation() {
        ModelRef target = BenchCommand.defaultTarget();
        Prediction good = prediction("good", 0.9, 0.5, Double.NaN);
        Recommendation r = Recommendation.choose(List.of(good));
        String yaml = PipelineYaml.write("advised", target, r, 4096, 4);
        PipelineSpec spec = PipelineSpecParser.parse(yaml, "advised.yaml");
        assertEquals("advised", spec.id());
        assertEquals(target, spec.target().model());
        assertEquals(4096, spec.target().contextLength());
        assertEquals(SpeculationMode.LOSSLESS, spec.speculation().mode());
        assertEquals(r.k(), spec.speculation().k());
        assertEquals(SpeculationPolicy.STATIC, spec.speculation().policy().policy());
        DrafterSpec.Model d = assertInstanceOf(DrafterSpec.Model.class, spec.drafters().getFirst());
        assertEquals(STORIES, d.model());
    }

    @Test
    void lookupAndTargetOnlyPipelinesParseToo() {
        ModelRef target = new ModelRef.Forged("truncate", BenchCommand.defaultTarget(), Map.of("layers", "2"));
        Prediction lookup = prediction("lookup", 0.9, 0, Double.NaN);
        PipelineSpec l = PipelineSpecParser.parse(PipelineYaml.write("l", target, Recommendation.choose(List.of(lookup)),
                2048, 1), "l.yaml");
        assertEquals(target, l.target().model());
        assertInstanceOf(DrafterSpec.Lookup.class, l.drafters().getFirst());
        PipelineSpec off = PipelineSpecParser.parse(PipelineYaml.write("off", target,
                Recommendation.choose(List.of(prediction("bad", 0.05, 10, Double.NaN))), 2048, 1), "off.yaml");
        assertTrue(off.drafters().isEmpty());
        assertEquals(SpeculationMode.OFF, off.speculation().mode());
    }
}
