package dev.specd.runtime;

import dev.specd.constrain.ConstraintState;
import dev.specd.draft.Draft;
import dev.specd.draft.DraftToken;
import dev.specd.draft.Drafter;
import dev.specd.draft.FreeDrafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.StopRule;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelContext;
import dev.specd.engine.Sequence;
import dev.specd.engine.Vocab;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.adaptive.DraftLength;
import dev.specd.runtime.adaptive.RoundRecord;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.LogitsProcessor;
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.RejectionSampler;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;
import dev.specd.sampling.Verification;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * One request's generation, in speculation rounds that the engine drives (the papers' vocabulary:
 * draft, verify, accepted, rejected, residual, bonus):
 * <ol>
 *   <li>{@link #beginRound}: the request's {@link RoundMode} sets up the round's draft — a free
 *       drafter's proposal at once, or the first step of a draft model;</li>
 *   <li>while {@link #draftStep()} is not null, the engine decodes it in one batch with the draft
 *       steps of every other sequence on the same draft model, and hands back the logits
 *       ({@link #onDraftLogits}); the mode decides after each token whether to draft another;</li>
 *   <li>{@link #verifyStep()}: the tokens the target has not seen plus the draft, decoded in one
 *       batch with every other sequence of the engine; {@link #onVerifyLogits} verifies the draft by
 *       rejection sampling (accepted prefix, then the residual or a bonus token), rolls the target's
 *       cache back to what was accepted and emits the new tokens.</li>
 * </ol>
 * Target-only generation is the same loop with empty drafts.
 * <p>
 * Token bookkeeping: {@code committed} holds the prompt and every emitted token; the target's
 * cache holds its first {@code targetLength} (the last emitted token is always still pending).
 */
public final class Generation {

    private final GenerationRequest request;
    private final Sampler sampler;
    private final List<Drafter> drafters;
    private final RoundMode mode;
    private final TokenEmitter out;
    private final int maxLength;
    private final Consumer<RoundRecord> rounds;
    private final DraftLength length;
    private final PendingDraft draft = new PendingDraft();
    private Sequence sequence;
    private int[] committed;
    private int size;
    private int targetLength;
    /** The draft model this round's draft waits on, and its next step; null when the draft is complete. */
    private ModelDrafter drafting;
    private DecodeStep draftStep;
    /** The constraint's state after the committed tokens, and along this round's draft; null without one. */
    private ConstraintState constraint;
    private ConstraintState draftConstraint;
    private long draftNanos;
    private boolean done;
    private int roundCount;
    private int drafted;
    private int accepted;
    private int verified;
    private int unverified;

    /**
     * @param drafters  in order of preference (empty for target-only); closed with the generation
     * @param maxLength tokens the sequence may hold in all (its share of the context)
     * @param rounds    receives a record of every speculation round
     * @param length    chooses each round's draft length (up to the request's k)
     */
    public Generation(GenerationRequest request, Vocab vocab, Sampler sampler, List<Drafter> drafters, int maxLength,
                      Consumer<GenerationEvent> sink, Consumer<RoundRecord> rounds, DraftLength length) {
        this.length = length;
        this.request = request;
        this.sampler = sampler;
        this.drafters = List.copyOf(drafters);
        this.mode = RoundMode.of(drafters.isEmpty() ? SpeculationSpec.OFF : request.speculation());
        this.maxLength = maxLength;
        this.rounds = rounds;
        this.out = new TokenEmitter(request, vocab, sink);
        this.committed = Arrays.copyOf(request.prompt(), request.prompt().length + request.maxTokens() + 1);
        this.size = request.prompt().length;
        this.constraint = request.constraint() == null ? null : request.constraint().start();
    }

    public void attach(Sequence sequence) {
        this.sequence = sequence;
    }

    public boolean isDone() {
        return done;
    }

    public Sequence sequence() {
        return sequence;
    }

    /**
     * Sets up the next round's draft.
     *
     * @param concurrent sequences that will share the verify batch, this one included: the
     *                   draft-length policy drafts less under load
     */
    public void beginRound(int concurrent) {
        if (done) throw new IllegalStateException("generation is done");
        long t0 = System.nanoTime();
        draft.clear();
        drafting = null;
        draftStep = null;
        draftNanos = 0;
        draftConstraint = constraint;
        mode.begin(this, concurrent);
        draftNanos += System.nanoTime() - t0;
    }

    /** The draft model's next step, or null when this round's draft is complete. */
    public DecodeStep draftStep() {
        return draftStep;
    }

    /** The context {@link #draftStep()} decodes in (the engine batches steps by context). */
    public ModelContext draftContext() {
        return drafting == null ? null : drafting.context();
    }

    /**
     * The logits of {@link #draftStep()}: a draft token is drawn from them, and the mode decides
     * whether to draft another.
     *
     * @param stepNanos this sequence's share of the batched draft decode
     */
    public void onDraftLogits(float[] logits, long stepNanos) {
        long t0 = System.nanoTime();
        DraftToken t = drafting.sample(logits, draftConstraint);
        draft.add(t);
        if (draftConstraint != null) draftConstraint = draftConstraint.advance(t.token());
        draftStep = null;
        if (mode.draftOn(this, t)) draftStep = drafting.extend(t.token());
        draftNanos += stepNanos + (System.nanoTime() - t0);
    }

    /**
     * The draft model's step failed (its cache, not the request, is at fault): the drafter starts
     * afresh next round, and this round goes on with the tokens drafted so far.
     */
    public void onDraftFailed() {
        drafting.close();
        drafting = null;
        draftStep = null;
    }

    /**
     * The target step: whatever the target has not seen, then this round's draft, with logits from
     * the last committed token on. Null when the generation ended while drafting (a cascade that
     * finished on the draft model alone).
     */
    public DecodeStep verifyStep() {
        if (done) return null;
        int pending = size - targetLength;
        int[] tokens = new int[pending + draft.size()];
        System.arraycopy(committed, targetLength, tokens, 0, pending);
        for (int i = 0; i < draft.size(); i++) tokens[pending + i] = draft.token(i);
        return new DecodeStep(sequence, tokens, pending - 1);
    }

    /**
     * Consumes the logits rows of the target step (one per draft token, plus one): verifies the
     * draft, rolls the target's cache back to the accepted prefix, and emits the new tokens.
     *
     * @param verifyNanos time of the batch decode these rows came from
     */
    public void onVerifyLogits(float[][] rows, long verifyNanos) {
        int k = draft.size();
        if (rows.length != k + 1) throw new IllegalStateException("expected " + (k + 1) + " logits rows, got " + rows.length);
        // Under a constraint each row is masked by the constraint's state at its position along the
        // draft, so verification samples from the constrained distribution; rows after a draft token
        // the constraint refuses are never reached (that token is rejected) and stay as they are.
        // The raw rows stay for the log-probabilities (the model's own).
        float[][] scored = rows;
        if (constraint != null) {
            scored = rows.clone();
            ConstraintState state = constraint;
            for (int i = 0; i <= k && state != null; i++) {
                scored[i] = state.apply(rows[i]);
                if (i < k) state = state.allows(draft.token(i)) ? state.advance(draft.token(i)) : null;
            }
        }
        Verification v = verify(scored);
        targetLength = size + v.accepted();
        sequence.truncate(targetLength);
        if (k > 0) {
            roundCount++;
            drafted += k;
            accepted += v.accepted();
            RoundRecord record = new RoundRecord(k, v.accepted(), v.firstRejected(), v.bonus(), draftNanos,
                    verifyNanos, rows.length);
            length.observe(record, draft.confidence());
            rounds.accept(record);
        }
        // Row j scored the token at draft position j, so it holds the target's distribution for the
        // j-th emitted token (accepted drafts, then the replacement or bonus).
        int[] emitted = v.emitted();
        advanceConstraint(emitted); // whatever was drafted beyond them rolls back with the draft
        IntFunction<Logprobs.Position> logprob = request.wantsLogprobs()
                ? j -> Logprobs.at(rows[j], emitted[j], request.logprobs()) : j -> null;
        draft.clear();
        if (emitAll(emitted, true, logprob) && size + 1 >= maxLength) finish(FinishReason.LENGTH);
    }

    /**
     * Lossless rejection sampling, or — in a cascade with a rollback threshold — BiLD's tolerant
     * check, which keeps a rejected draft when the target's own (temperature 1) distribution gives
     * it −ln p ≤ threshold; a greedy request's point masses could tolerate nothing.
     */
    private Verification verify(float[][] rows) {
        double rollback = mode.rollback();
        int[] tokens = draft.tokens();
        if (rollback == 0.0 || draft.isEmpty()) {
            // Target rows are processed only as far as verification gets.
            return RejectionSampler.verifyRows(tokens, draft.q(), rows, out.history(), sampler);
        }
        List<Distribution> p = sampler.distributions(rows, tokens, out.history());
        List<Distribution> scores = new ArrayList<>(draft.size());
        for (int i = 0; i < draft.size(); i++) scores.add(LogitsProcessor.process(rows[i], SamplingParams.defaults()));
        return RejectionSampler.verifyTolerant(tokens, draft.q(), p, rollback, scores, sampler::uniform);
    }

    // ---- what the round modes use ----

    SpeculationSpec settings() {
        return request.speculation();
    }

    DraftLength length() {
        return length;
    }

    PendingDraft draft() {
        return draft;
    }

    /** Most tokens worth drafting: no more than k, nor what max_tokens still allows, nor the sequence's share of the context. */
    int draftLimit() {
        int byTokens = out.remaining() - 1;
        int byContext = maxLength - size - 1;
        return Math.max(0, Math.min(request.speculation().k(), Math.min(byTokens, byContext)));
    }

    /** Tokens that may still be emitted: a cascade's unverified run never outgrows them. */
    int room() {
        return Math.min(out.remaining(), maxLength - size - 1);
    }

    boolean endsGeneration(int token) {
        return out.endsGeneration(token);
    }

    /**
     * Asks the drafters in order of preference, up to {@code max} tokens: a free drafter's proposal
     * becomes the draft at once; a model drafter (when {@code models}) starts drafting step by step.
     *
     * @return whether some drafter took the round
     */
    boolean propose(int max, StopRule stop, boolean models) {
        if (max <= 0) return false;
        for (Drafter d : drafters) {
            switch (d) {
                case FreeDrafter f -> {
                    Draft proposal = keepToConstraint(f.propose(committed, size, request.prompt().length, max, stop));
                    if (!proposal.isEmpty()) {
                        draft.set(proposal);
                        return true;
                    }
                }
                case ModelDrafter m -> {
                    if (!models) continue;
                    DecodeStep first = m.begin(committed, size, request.prompt().length, max);
                    if (first == null) continue; // its cache is full: sit this round out
                    drafting = m;
                    draftStep = first;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A free drafter's proposal cut before its first token the constraint refuses: such a token
     * could only be rejected.
     */
    private Draft keepToConstraint(Draft d) {
        if (constraint == null) return d;
        int n = 0;
        for (ConstraintState s = constraint; n < d.size() && s.allows(d.tokens()[n]); n++) s = s.advance(d.tokens()[n]);
        return d.prefix(n);
    }

    private void advanceConstraint(int[] tokens) {
        if (constraint == null) return;
        for (int t : tokens) {
            if (!constraint.allows(t)) return; // an end token past the grammar's end: nothing follows
            constraint = constraint.advance(t);
        }
    }

    /** Emits this round's draft as it is, unverified: the draft model finished the answer alone. */
    void finishUnverified() {
        int[] emitted = draft.tokens();
        advanceConstraint(emitted);
        List<Logprobs.Position> lp = List.copyOf(draft.logprobs()); // the draft is cleared before they are read
        IntFunction<Logprobs.Position> logprob = lp.isEmpty() ? j -> null : lp::get;
        draft.clear();
        if (emitAll(emitted, false, logprob)) finish(FinishReason.LENGTH);
    }

    /**
     * Commits and emits tokens in order; returns false if the generation ended on one of them.
     *
     * @param logprob the log-probabilities of the j-th token, or null; computed only for tokens actually emitted
     */
    private boolean emitAll(int[] tokens, boolean checkedByTarget, IntFunction<Logprobs.Position> logprob) {
        for (int j = 0; j < tokens.length; j++) {
            int token = tokens[j];
            if (checkedByTarget) verified++;
            else unverified++;
            committed[size++] = token;
            FinishReason reason = out.emit(token, logprob.apply(j));
            if (reason != null) {
                finish(reason);
                return false;
            }
        }
        return true;
    }

    public SpeculationSummary summary() {
        return new SpeculationSummary(mode.mode(), roundCount, drafted, accepted, verified, unverified);
    }

    /** Ends the generation for a reason from outside (cancellation, engine failure). */
    public void abort(FinishReason reason, String error) {
        if (done) return;
        done = true;
        closeDrafters();
        out.abort(reason, error, summary());
    }

    private void finish(FinishReason reason) {
        done = true;
        closeDrafters();
        out.finish(reason, summary());
    }

    private void closeDrafters() {
        drafting = null;
        draftStep = null;
        for (Drafter d : drafters) d.close();
    }
}
