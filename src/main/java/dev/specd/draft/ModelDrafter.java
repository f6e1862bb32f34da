package dev.specd.draft;

import dev.specd.constrain.ConstraintState;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import dev.specd.sampling.TokenCounts;

import java.util.Arrays;

/**
 * A small draft model (SLM) proposing tokens autoregressively, each sampled from q — the draft's
 * distribution after the request's own processing (temperature, filters, penalties), so that the
 * rejection sampler compares like with like. It drafts one token per decode step, and hands each
 * step to the engine rather than decoding it itself, so that the steps of every sequence drafting
 * with this model go into one batch: {@link #begin} brings the draft cache up to the sequence and
 * asks for the first logits, {@link #sample} draws a token from them, {@link #extend} asks for the
 * logits after it.
 * <p>
 * Its KV cache follows the sequence lazily: at each {@link #begin} it rolls back to the longest
 * prefix it shares with the sequence and decodes the rest in the same step. Rejected drafts never
 * leak, and comparing costs only the tokens added since the last round (committed tokens never
 * change, so a prefix once known equal stays equal).
 */
public final class ModelDrafter implements Drafter {

    private final ModelContext context;
    private final SamplingParams params;
    private final Sampler sampler;
    private final Confidence confidence;
    /** Top alternatives to report with each drafted token's own log-probability, or -1 for none. */
    private final int logprobs;
    /** KV cells this sequence may use in the draft context: its share, as in the target's. */
    private final int budget;
    private Sequence sequence;
    /** Mirror of the tokens in (or about to enter) the draft model's KV cache. */
    private int[] cached = new int[0];
    private int cachedLength;
    /** Leading cached tokens known to equal the sequence's committed tokens. */
    private int agreed;
    /** Generated tokens so far (for penalties), drafts of this round included. */
    private TokenCounts history;

    /**
     * @param context    the draft model's context, shared with other requests; one sequence slot is taken lazily
     * @param sampler    draws the draft tokens (its own seeded stream, apart from the target's)
     * @param confidence how {@link StopRule}s and cascades see each token
     * @param logprobs   -1, or n &ge; 0 to attach each drafted token's log-probability under the draft model and its
     *                   n most likely tokens (a softmax over the vocabulary per token, so only when a cascade may emit
     *                   the tokens unverified and the request asked for them)
     */
    public ModelDrafter(ModelContext context, SamplingParams params, Sampler sampler, Confidence confidence,
                        int logprobs) {
        this.context = context;
        this.params = params;
        this.sampler = sampler;
        this.confidence = confidence;
        this.logprobs = logprobs;
        this.budget = context.contextLength() / context.maxSequences();
        // One scan of each draft row serves both q and the max-prob confidence.
        sampler.workspace().shareScansWithMaxProbability();
    }

    /** The draft model's context, in which this drafter's steps decode. */
    public ModelContext context() {
        return context;
    }

    /**
     * Starts a draft after the first {@code length} tokens of {@code tokens}: the step that brings
     * the draft cache up to them, with the logits for the first draft token. Null when the draft
     * cache has no room left for {@code max} more tokens: then this drafter sits the round out.
     */
    public DecodeStep begin(int[] tokens, int length, int promptLength, int max) {
        if (length + max > budget) return null;
        if (sequence == null) sequence = context.openSequence();
        int limit = Math.min(cachedLength, length - 1); // the last token is always decoded: logits come from decodes
        while (agreed < limit && cached[agreed] == tokens[agreed]) agreed++;
        int common = Math.min(agreed, limit);
        sequence.truncate(common);
        // The step decodes tokens[common, length): from then on the cache holds the sequence. Should
        // the step fail, the caller closes this drafter, which forgets all of it.
        cached = Arrays.copyOf(tokens, Math.max(length + max, 16));
        cachedLength = length;
        agreed = length;
        history = TokenCounts.of(Arrays.copyOfRange(tokens, promptLength, length));
        return DecodeStep.lastLogits(sequence, Arrays.copyOfRange(tokens, common, length));
    }

    /** Draws the next draft token from the logits of this drafter's last step. */
    public DraftToken sample(float[] logits) {
        return sample(logits, null);
    }

    /**
     * Under a constraint the draft's q is the masked distribution, as the target's p will be: the
     * rejection sampler then compares the constrained distributions, and a draft never wastes a
     * round on a token the constraint refuses. Confidence is read on the masked row too (a cascade
     * must not run ahead on probability mass the constraint rules out).
     *
     * @param constraint the constraint's state at this draft position, or null for none
     */
    public DraftToken sample(float[] logits, ConstraintState constraint) {
        float[] row = constraint == null ? logits : constraint.apply(logits);
        Distribution q = sampler.distribution(row, history);
        int x = sampler.sample(q);
        Logprobs.Position lp = logprobs >= 0 ? Logprobs.at(logits, x, logprobs) : null;
        return new DraftToken(x, q, confidence.of(row, sampler.workspace()), lp);
    }

    /** The step that feeds a drafted token to the draft model, for the logits of the one after it. */
    public DecodeStep extend(int token) {
        if (cachedLength == cached.length) cached = Arrays.copyOf(cached, cached.length * 2);
        cached[cachedLength++] = token;
        history.add(token);
        return DecodeStep.lastLogits(sequence, token);
    }

    @Override
    public void close() {
        if (sequence != null) sequence.close();
        sequence = null;
        cachedLength = 0;
        agreed = 0;
    }
}
