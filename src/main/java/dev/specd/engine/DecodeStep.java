package dev.specd.engine;

/**
 * Tokens to append to one sequence in a batched decode.
 *
 * @param logitsFrom index of the first token whose logits are returned: {@code tokens.length - 1}
 *                   for a prefill (next-token logits only), {@code 0} to score every drafted
 *                   token, {@code tokens.length} for none
 */
public record DecodeStep(Sequence sequence, int[] tokens, int logitsFrom) {

    public DecodeStep {
        if (tokens.length == 0) throw new IllegalArgumentException("a decode step needs at least one token");
        if (logitsFrom < 0 || logitsFrom > tokens.length) {
            throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside 0.." + tokens.length);
        }
    }

    public static DecodeStep lastLogits(Sequence sequence, int... tokens) {
        return new DecodeStep(sequence, tokens, tokens.length - 1);
    }

    public static DecodeStep allLogits(Sequence sequence, int... tokens) {
        return new DecodeStep(sequence, tokens, 0);
    }

    public int logitRows() {
        return tokens.length - logitsFrom;
    }
}
