package dev.specd.sampling;

import java.util.SplittableRandom;

/**
 * Logits rows shaped like a real model's at a real vocabulary size: a few dozen plausible tokens
 * near the top and the bulk of the vocabulary 20 to 30 logits below (as the forged 152k models
 * and real LLMs have it), so that the fast paths meet both their candidates and a long tail.
 */
final class Rows {

    private Rows() {
    }

    static float[] realistic(long seed, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        float top = (float) (10 + 5 * r.nextDouble());
        float[] row = new float[vocab];
        for (int t = 0; t < vocab; t++) {
            row[t] = (float) (top - 26 + 3 * r.nextGaussian());
        }
        int head = 5 + r.nextInt(60);
        for (int i = 0; i < head; i++) {
            // A spread of a few logits, the best one exactly at the top.
            row[r.nextInt(vocab)] = i == 0 ? top : (float) (top - Math.abs(r.nextGaussian()) * 3);
        }
        return row;
    }
}
