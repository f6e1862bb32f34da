package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/**
 * Pearson's chi-square goodness-of-fit test for the sampling tests: the statistic, its degrees of
 * freedom and its p-value, so that a test states a significance level rather than a table value.
 */
public final class ChiSquare {

    /** The significance at which sampling tests reject: one false alarm per thousand seeds. */
    public static final double SIGNIFICANCE = 0.001;

    public record Result(double statistic, int degreesOfFreedom, double pValue) {
    }

    private ChiSquare() {
    }

    /**
     * Tests counts against expected probabilities (summing to 1). Cells with probability 0 add no
     * degree of freedom, but a single observation in one makes the fit impossible (p-value 0).
     */
    public static Result goodnessOfFit(long[] observed, double[] expected) {
        if (observed.length != expected.length) {
            throw new IllegalArgumentException(observed.length + " cells observed, " + expected.length + " expected");
        }
        double total = Arrays.stream(expected).sum();
        if (Math.abs(total - 1) > 1e-9) {
            throw new IllegalArgumentException("expected probabilities sum to " + total);
        }
        long n = Arrays.stream(observed).sum();
        double statistic = 0;
        int cells = 0;
        for (int i = 0; i < observed.length; i++) {
            if (expected[i] == 0) {
                if (observed[i] > 0) {
                    return new Result(Double.POSITIVE_INFINITY, Math.max(cells - 1, 1), 0.0);
                }
                continue;
            }
            cells++;
            double e = n * expected[i];
            statistic += (observed[i] - e) * (observed[i] - e) / e;
        }
        int df = cells - 1;
        return new Result(statistic, df, df == 0 ? 1.0 : upperTail(statistic, df));
    }

    static void assertFits(long[] observed, double[] expected, String what) {
        Result r = goodnessOfFit(observed, expected);
        assertTrue(r.pValue() >= SIGNIFICANCE, what + " should fit " + Arrays.toString(expected) + ": observed "
                + Arrays.toString(observed) + ", " + r);
    }

    static void assertRejects(long[] observed, double[] wrong, String what) {
        Result r = goodnessOfFit(observed, wrong);
        assertTrue(r.pValue() < SIGNIFICANCE, what + " should NOT fit " + Arrays.toString(wrong) + ": observed "
                + Arrays.toString(observed) + ", " + r);
    }

    /** P(X ≥ statistic) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, statistic/2). */
    public static double upperTail(double statistic, int df) {
        if (df <= 0) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, got " + df);
        }
        if (statistic <= 0) {
            return 1.0;
        }
        if (statistic == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        double a = df / 2.0;
        double x = statistic / 2.0;
        double logPrefactor = -x + a * Math.log(x) - logGammaOfHalfInteger(a);
        // Series for the lower tail where it converges fast, Lentz's continued fraction elsewhere
        // (Numerical Recipes, gser / gcf).
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (double ap = a + 1; Math.abs(term) > Math.abs(sum) * 1e-16; ap++) {
                term *= x / ap;
                sum += term;
            }
            return Math.max(0.0, 1 - sum * Math.exp(logPrefactor));
        }
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(logPrefactor) * h;
    }

    /** ln Γ(a) for a a positive multiple of 1/2, exactly by recurrence from Γ(1) = 1 or Γ(1/2) = √π. */
    private static double logGammaOfHalfInteger(double a) {
        boolean half = a != Math.floor(a);
        double log = half ? 0.5 * Math.log(Math.PI) : 0.0;
        for (double s = half ? 0.5 : 1.0; s < a; s++) {
            log += Math.log(s);
        }
        return log;
    }
}
