package dev.specd.constrain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Samples texts from a constraint: uniformly among its allowed tokens, preferring the end once allowed. */
final class RandomWalk {

    private RandomWalk() {
    }

    /** The text of a walk that ended (null if it did not end within {@code maxTokens}). */
    static String walk(TokenConstraint c, Random random, int maxTokens, double endBias) {
        ConstraintState s = c.start();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int step = 0; step < maxTokens; step++) {
            long[] mask = s.mask();
            List<Integer> allowed = new ArrayList<>();
            for (int t = 0; t < c.tokens().size(); t++) if ((mask[t >>> 6] & (1L << (t & 63))) != 0) allowed.add(t);
            if (allowed.isEmpty()) throw new AssertionError("no token allowed after '" + text + "'");
            int end = -1;
            for (int t : c.tokens().endTokens()) if (allowed.contains(t)) end = t;
            int token = end >= 0 && (allowed.size() == 1 || random.nextDouble() < endBias) ? end
                    : allowed.get(random.nextInt(allowed.size()));
            if (c.tokens().isEnd(token)) return text.toString(StandardCharsets.UTF_8);
            s = s.advance(token);
            text.writeBytes(c.tokens().piece(token));
        }
        return null;
    }
}
