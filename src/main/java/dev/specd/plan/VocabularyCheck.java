package dev.specd.plan;

import dev.specd.engine.Vocab;

/**
 * Whether a draft model can draft for a target: speculative decoding passes token ids between
 * the two models, so an id must mean the same text to both, and both must start and stop on the
 * same special tokens. The rules follow llama.cpp's {@code common_speculative_are_compatible}.
 */
public final class VocabularyCheck {

    /**
     * llama.cpp's {@code SPEC_VOCAB_MAX_SIZE_DIFFERENCE}: models of one family often differ only
     * by a few padding or added tokens at the end, which the target never samples.
     */
    public static final int MAX_SIZE_DIFFERENCE = 128;

    private VocabularyCheck() {
    }

    /**
     * @param file the pipeline spec, for the error message
     * @throws SpecException on field {@code drafters}, naming the first difference and both sizes
     */
    public static void check(Vocab target, Vocab draft, String file) {
        String sizes = "(target " + target.type() + ", " + target.size() + " tokens; draft " + draft.type() + ", "
                + draft.size() + " tokens)";
        String why = firstDifference(target, draft);
        if (why != null) {
            throw new SpecException(file, "drafters", "draft vocabulary does not match the target's " + sizes + ": "
                    + why);
        }
    }

    /** The first incompatibility, or null; cheap differences first, the token-by-token scan last. */
    private static String firstDifference(Vocab target, Vocab draft) {
        if (!target.type().equals(draft.type())) {
            return "tokenizer type: target " + target.type() + " vs draft " + draft.type();
        }
        if (target.bos() != draft.bos()) return "bos: target " + target.bos() + " vs draft " + draft.bos();
        if (target.eos() != draft.eos()) return "eos: target " + target.eos() + " vs draft " + draft.eos();
        // A prompt tokenised for the target must be a valid prompt for the draft, BOS included.
        if (target.addsBos() != draft.addsBos()) {
            return "adds bos: target " + target.addsBos() + " vs draft " + draft.addsBos();
        }
        // Scanned before the size check so that unrelated vocabularies are reported by the first token
        // that differs, which says more than a size does.
        int shared = Math.min(target.size(), draft.size());
        for (int id = 0; id < shared; id++) {
            String t = target.tokenText(id);
            String d = draft.tokenText(id);
            if (!t.equals(d)) return "token " + id + ": target " + quote(t) + " vs draft " + quote(d);
            if (target.isEndOfGeneration(id) != draft.isEndOfGeneration(id)) {
                return "token " + id + " " + quote(t) + ": end-of-generation " + flags(target.isEndOfGeneration(id),
                        draft.isEndOfGeneration(id));
            }
            if (target.isControl(id) != draft.isControl(id)) {
                return "token " + id + " " + quote(t) + ": control token " + flags(target.isControl(id),
                        draft.isControl(id));
            }
        }
        int difference = Math.abs(target.size() - draft.size());
        if (difference > MAX_SIZE_DIFFERENCE) {
            return "sizes differ by " + difference + " tokens (at most " + MAX_SIZE_DIFFERENCE + " allowed)";
        }
        return null;
    }

    private static String flags(boolean inTarget, boolean inDraft) {
        return "in " + (inTarget ? "target" : "draft") + " but not in " + (inTarget ? "draft" : "target");
    }

    /** Quoted, with invisible characters escaped: token texts are often whitespace or bytes. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("'");
        s.codePoints().forEach(c -> {
            if (c == '\'' || c == '\\') out.append('\\').appendCodePoint(c);
            else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                out.append(c <= 0xFFFF ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else out.appendCodePoint(c);
        });
        return out.append('\'').toString();
    }
}
