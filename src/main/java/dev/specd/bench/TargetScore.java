package dev.specd.bench;

import dev.specd.engine.ContextOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.sampling.Logprobs;

import java.util.Arrays;

/**
 * The target's verdict on a generated text, from a separate decode of prompt + output (a cascade's
 * unverified tokens were never scored by the target while generating): its mean negative
 * log-likelihood per token, and the share of tokens that are the target's own greedy choice given
 * the text before them — a cascade's quality, against target-only generation's.
 *
 * @param nll    summed −ln p_target(token | text before it) over the output
 * @param agreed output tokens equal to the target's argmax at their position
 * @param tokens output tokens scored
 * @param tokenNll each token's −ln p_target, in order (for distribution tests between configurations)
 */
public record TargetScore(double nll, int agreed, int tokens, double[] tokenNll) {

    public static final TargetScore ZERO = new TargetScore(0, 0, 0, new double[0]);

    public TargetScore {
        tokenNll = tokenNll.clone();
    }

    @Override
    public double[] tokenNll() {
        return tokenNll.clone();
    }

    public TargetScore plus(TargetScore o) {
        double[] all = Arrays.copyOf(tokenNll, tokenNll.length + o.tokenNll.length);
        System.arraycopy(o.tokenNll, 0, all, tokenNll.length, o.tokenNll.length);
        return new TargetScore(nll + o.nll, agreed + o.agreed, tokens + o.tokens, all);
    }

    public double meanNll() {
        return tokens == 0 ? 0 : nll / tokens;
    }

    public double agreement() {
        return tokens == 0 ? 1 : agreed / (double) tokens;
    }

    /** Scores {@code output} after {@code prompt} with {@code target}, in a context of its own. */
    public static TargetScore of(ModelBackend target, int[] prompt, int[] output, int threads) {
        if (output.length == 0) return ZERO;
        try (PromptScorer s = new PromptScorer(target, prompt, output.length, threads)) {
            return s.score(output);
        }
    }

    /**
     * Scores many outputs of one prompt, decoding the prompt once: each output is decoded after it
     * and the sequence truncated back to the prompt (a long prompt's prefill would otherwise cost
     * more than all its outputs). Closes the context it opened.
     */
    static final class PromptScorer implements AutoCloseable {
        private final ModelContext ctx;
        private final Sequence seq;
        private final int promptLength;
        private final float[] first;

        PromptScorer(ModelBackend target, int[] prompt, int maxOutput, int threads) {
            this.ctx = target.newContext(ContextOptions.of(Math.max(64, prompt.length + maxOutput + 16), 1).withThreads(threads));
            this.seq = ctx.openSequence();
            this.promptLength = prompt.length;
            this.first = seq.decode(prompt, prompt.length - 1)[0]; // predicts the first output token
        }

        TargetScore score(int[] output) {
            if (output.length == 0) return ZERO;
            float[][] rest = output.length > 1 ? seq.decode(Arrays.copyOf(output, output.length - 1), 0) : new float[0][];
            seq.truncate(promptLength);
            double nll = 0;
            double[] each = new double[output.length];
            int agreed = 0;
            for (int j = 0; j < output.length; j++) {
                float[] row = j == 0 ? first : rest[j - 1];
                each[j] = -Logprobs.logprob(row, output[j]);
                nll += each[j];
                if (argmax(row) == output[j]) agreed++;
            }
            return new TargetScore(nll, agreed, output.length, each);
        }

        @Override
        public void close() {
            seq.close();
            ctx.close();
        }
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int t = 1; t < row.length; t++) if (row[t] > row[best]) best = t;
        return best;
    }
}
