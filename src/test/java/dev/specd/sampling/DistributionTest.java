package dev.specd.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void fromWeightsNormalisesAndKeepsOnlyThePositiveSupport() {
        Distribution d = Distribution.fromWeights(new double[] {0, 2, 0, 6, 0});
        assertEquals(5, d.vocabSize());
        assertEquals(2, d.supportSize());
        assertEquals(0.25, d.prob(1));
        assertEquals(0.75, d.prob(3));
        assertEquals(0.0, d.prob(0));
        assertEquals(0.0, d.prob(99));
        assertEquals(Double.NEGATIVE_INFINITY, d.logProb(2));
        assertEquals(Math.log(0.75), d.logProb(3), 1e-15);
        assertEquals(3, d.argmax());
        assertFalse(d.isPointMass());
        assertArrayEquals(new double[] {0, 0.25, 0, 0.75, 0}, d.toDense());
    }

    @Test
    void argmaxTiesGoToTheLowestToken() {
        assertEquals(2, Distribution.fromWeights(new double[] {1, 0, 3, 3}).argmax());
    }

    @Test
    void quantileIsTheInverseCdfInTokenOrder() {
        Distribution d = Distribution.fromWeights(new double[] {0.5, 0, 0.25, 0.25});
        assertEquals(0, d.quantile(0.0));
        assertEquals(0, d.quantile(0.4999));
        assertEquals(2, d.quantile(0.5));
        assertEquals(2, d.quantile(0.7499));
        assertEquals(3, d.quantile(0.75));
        assertEquals(3, d.quantile(Math.nextDown(1.0)));
        assertThrows(IllegalArgumentException.class, () -> d.quantile(1.0));
        assertThrows(IllegalArgumentException.class, () -> d.quantile(-0.1));
    }

    @Test
    void pointMass() {
        Distribution d = Distribution.pointMass(10, 7);
        assertTrue(d.isPointMass());
        assertEquals(7, d.argmax());
        assertEquals(1.0, d.prob(7));
        assertEquals(7, d.quantile(0.99));
        assertThrows(IllegalArgumentException.class, () -> Distribution.pointMass(10, 10));
    }

    @Test
    void rejectsInvalidWeights() {
        assertThrows(IllegalArgumentException.class, () -> Distribution.fromWeights(new double[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> Distribution.fromWeights(new double[] {1, -0.5}));
        assertThrows(IllegalArgumentException.class, () -> Distribution.fromWeights(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class,
                () -> Distribution.fromWeights(new double[] {1, Double.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> Distribution.fromWeights(new double[0]));
    }
}
