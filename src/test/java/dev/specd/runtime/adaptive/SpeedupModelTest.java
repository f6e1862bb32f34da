package dev.specd.runtime.adaptive;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeedupModelTest {

    /** Constant α, flat verify cost, draft cost c: the paper's closed form (1 − α^(k+1)) / ((1 − α)(ck + 1)). */
    @Test
    void aFlatCostAndConstantAcceptanceGiveThePapersClosedForm() {
        double alpha = 0.8, c = 0.05;
        double[] alphas = new double[8];
        java.util.Arrays.fill(alphas, alpha);
        double[] verify = new double[10];
        java.util.Arrays.fill(verify, 1, 10, 1e6);
        SpeedupModel m = new SpeedupModel(alphas, verify, c * 1e6, 0);
        for (int k = 0; k <= 8; k++) {
            double paper = (1 - Math.pow(alpha, k + 1)) / ((1 - alpha) * (c * k + 1));
            assertEquals(paper, m.point(k).speedup(), 1e-9, "k=" + k);
        }
        assertEquals(1.0, m.point(0).speedup(), 1e-12);
        assertEquals(1000.0, m.point(0).tokensPerSecond(), 1e-9);
    }

    /** A verify cost that grows with the rows (a CPU) moves the optimum to a shorter draft. */
    @Test
    void aComputeBoundVerifyShortensTheBestDraft() {
        double[] alphas = {0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55};
        double[] flat = new double[10];
        double[] rising = new double[10];
        for (int t = 1; t < 10; t++) {
            flat[t] = 10e6;
            rising[t] = 10e6 * (1 + 0.225 * (t - 1)); // 9 rows ≈ 2.8× one row, as the 205M target here
        }
        int flatBest = new SpeedupModel(alphas, flat, 0.5e6, 0.2e6).best().k();
        int risingBest = new SpeedupModel(alphas, rising, 0.5e6, 0.2e6).best().k();
        assertTrue(flatBest >= 6, "flat " + flatBest);
        assertTrue(risingBest < flatBest, "rising " + risingBest + ", flat " + flatBest);
        assertEquals(0, new SpeedupModel(new double[] {0.05, 0.05}, rising, 2e6, 0).best().k());
    }

    @Test
    void unreachedPositionsBorrowThePreviousRate() {
        assertArrayEquals(new double[] {0.5, 0.25, 0.25}, SpeedupModel.alphasFromCounts(new long[] {4, 4, 0},
                new long[] {2, 1, 0}), 1e-12);
    }

    @Test
    void missingCostsOrBadRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SpeedupModel(new double[] {0.5}, new double[] {0, 1}, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SpeedupModel(new double[] {1.5}, new double[] {0, 1, 1}, 0, 0));
    }
}
