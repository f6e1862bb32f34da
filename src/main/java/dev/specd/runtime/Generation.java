package dev.specd.runtime;

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
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.Verification;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final ConstraintTrack constraint;
    private long draftNanos;
    private boolean done;
    private int roundCount;
    private int drafted;
    private int accepted;
    private int verified;
    private int unverified;
    private int deferred;
    /** Picks each round's drafter; null: the first that proposes, in the plan's order. */
    private final DrafterSelection selection;
    private int concurrent = 1;
    /** The drafter of the round in progress (index into drafters), -1 for none. */
    private int roundDrafter = -1;
    /** Rounds each drafter drafted (and, under selection, rounds it declined to draft: "none"). */
    private final Map<String, Integer> drafterRounds = new LinkedHashMap<>();

    /**
     * @param drafters  in order of preference (empty for target-only); closed with the generation
     * @param maxLength tokens the sequence may hold in all (its share of the context)
     * @param rounds    receives a record of every speculation round
     * @param length    chooses each round's draft length (up to the request's k)
     */
    public Generation(GenerationRequest request, Vocab vocab, Sampler sampler, List<Drafter> drafters, int maxLength,
                      Consumer<GenerationEvent> sink, Consumer<RoundRecord> rounds, DraftLength length) {
        this(request, vocab, sampler, drafters, maxLength, sink, rounds, length, null);
    }

    /** @param selection picks each round's drafter among {@code drafters}; null for the first that proposes */
    public Generation(GenerationRequest request, Vocab vocab, Sampler sampler, List<Drafter> drafters, int maxLength,
                      Consumer<GenerationEvent> sink, Consumer<RoundRecord> rounds, DraftLength length,
                      DrafterSelection selection) {
        this.selection = selection;
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
        this.constraint = new ConstraintTrack(request.constraint());
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
        constraint.beginRound();
        roundDrafter = -1;
        this.concurrent = concurrent;
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
        DraftToken t = drafting.sample(logits, constraint.atDraft());
        // A deferral rule compares the draft's own distribution with the target's at verification;
        // the row is the draft context's until its next decode, hence the copy.
        draft.add(t, mode.acceptance() instanceof RoundMode.Acceptance.Deferral ? logits.clone() : null);
        constraint.drafted(t.token());
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
        float[][] scored = constraint.mask(rows, draft.tokens());
        int[] deferral = new int[1];
        Verification v = RoundVerifier.verify(mode.acceptance(), draft, scored, rows, out.history(), sampler, deferral);
        targetLength = size + v.accepted();
        sequence.truncate(targetLength);
        String drafter = selection != null ? selection.name(roundDrafter)
                : roundDrafter < 0 ? DrafterSelection.NONE : DrafterSelection.nameOf(drafters.get(roundDrafter));
        if (k > 0 || selection != null) drafterRounds.merge(drafter, 1, Integer::sum);
        if (k > 0) {
            roundCount++;
            drafted += k;
            accepted += v.accepted();
            deferred += deferral[0];
            RoundRecord record = new RoundRecord(k, v.accepted(), v.firstRejected(), v.bonus(), draftNanos,
                    verifyNanos, rows.length, drafter, deferral[0]);
            length.observe(record, draft.confidence());
            rounds.accept(record);
        }
        // Row j scored the token at draft position j, so it holds the target's distribution for the
        // j-th emitted token (accepted drafts, then the replacement or bonus).
        int[] emitted = v.emitted();
        constraint.commit(emitted); // whatever was drafted beyond them rolls back with the draft
        IntFunction<Logprobs.Position> logprob = request.wantsLogprobs()
                ? j -> Logprobs.at(rows[j], emitted[j], request.logprobs()) : j -> null;
        draft.clear();
        boolean going = emitAll(emitted, true, logprob);
        if (selection != null) selection.observe(committed, size, roundDrafter, k, v.accepted());
        if (going && size + 1 >= maxLength) finish(FinishReason.LENGTH);
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
        if (selection != null) {
            DrafterSelection.Choice c = selection.choose(committed, size, request.prompt().length, max, stop, models,
                    concurrent);
            if (c.index() < 0) return false;
            if (c.proposal() == null) return start(c.index(), (ModelDrafter) drafters.get(c.index()), max);
            Draft kept = constraint.keep(c.proposal());
            return !kept.isEmpty() && take(c.index(), kept);
        }
        for (int i = 0; i < drafters.size(); i++) {
            switch (drafters.get(i)) {
                case FreeDrafter f -> {
                    Draft proposal = constraint.keep(f.propose(committed, size, request.prompt().length, max, stop));
                    if (!proposal.isEmpty()) return take(i, proposal);
                }
                case ModelDrafter m -> {
                    if (models && start(i, m, max)) return true;
                }
            }
        }
        return false;
    }

    private boolean take(int drafter, Draft proposal) {
        draft.set(proposal);
        roundDrafter = drafter;
        return true;
    }

    private boolean start(int drafter, ModelDrafter m, int max) {
        DecodeStep first = m.begin(committed, size, request.prompt().length, max);
        if (first == null) return false; // its cache is full: sit this round out
        drafting = m;
        draftStep = first;
        roundDrafter = drafter;
        return true;
    }

    /** Emits this round's draft as it is, unverified: the draft model finished the answer alone. */
    void finishUnverified() {
        int[] emitted = draft.tokens();
        constraint.commit(emitted);
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
        return new SpeculationSummary(mode.mode(), roundCount, drafted, accepted, verified, unverified, null,
                deferred, drafterRounds);
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
        for (Drafter d : drafters) {
            if (d instanceof FreeDrafter f) f.finished(committed, size, request.prompt().length);
        }
        closeDrafters();
        out.finish(reason, summary());
    }

    private void closeDrafters() {
        drafting = null;
        draftStep = null;
        for (Drafter d : drafters) d.close();
    }
}
