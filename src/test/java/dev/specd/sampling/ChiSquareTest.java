package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The test helper itself must be right, or every statistical test built on it means nothing. */
class ChiSquareTest {

    @Test
    void upperTailMatchesPublishedCriticalValues() {
        // Critical values from standard chi-square tables.
        assertEquals(0.05, ChiSquare.upperTail(3.841, 1), 1e-4);
        assertEquals(0.001, ChiSquare.upperTail(13.816, 2), 1e-6);
        assertEquals(0.001, ChiSquare.upperTail(18.467, 4), 1e-6);
        assertEquals(0.001, ChiSquare.upperTail(20.515, 5), 1e-6);
        assertEquals(0.001, ChiSquare.upperTail(51.179, 24), 1e-6);
        assertEquals(0.5, ChiSquare.upperTail(23.337, 24), 1e-4);
        // df = 2 is an exponential: Q = e^(-x/2), exactly.
        assertEquals(Math.exp(-1), ChiSquare.upperTail(2, 2), 1e-14);
        assertEquals(Math.exp(-20), ChiSquare.upperTail(40, 2), 1e-20);
        assertEquals(1.0, ChiSquare.upperTail(0, 3));
    }

    @Test
    void goodnessOfFitCountsOnlyPossibleCellsAndRejectsImpossibleObservations() {
        ChiSquare.Result fit = ChiSquare.goodnessOfFit(new long[] {50, 0, 50}, new double[] {0.5, 0, 0.5});
        assertEquals(0.0, fit.statistic());
        assertEquals(1, fit.degreesOfFreedom());
        assertEquals(1.0, fit.pValue(), 1e-12);
        assertEquals(0.0, ChiSquare.goodnessOfFit(new long[] {50, 1, 49}, new double[] {0.5, 0, 0.5}).pValue());
        // 60/40 against 50/50 over 100 draws: statistic 4, one degree of freedom.
        ChiSquare.Result off = ChiSquare.goodnessOfFit(new long[] {60, 40}, new double[] {0.5, 0.5});
        assertEquals(4.0, off.statistic(), 1e-12);
        assertEquals(0.0455, off.pValue(), 1e-4);
        assertThrows(IllegalArgumentException.class,
                () -> ChiSquare.goodnessOfFit(new long[] {1, 1}, new double[] {0.5, 0.6}));
    }
}
