package dev.specd.runtime;

import dev.specd.draft.Draft;
import dev.specd.draft.Drafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.StopRule;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.Sequence;
import dev.specd.engine.Vocab;
import dev.specd.plan.SpeculationMode;
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
 * One request's generation as a state machine the engine loop drives, in speculation rounds:
 * the loop asks for the next {@link DecodeStep} — the tokens the target has not seen yet followed
 * by a draft — decodes the steps of all running generations in one batch, and hands each its
 * logits rows; the draft is then verified by rejection sampling and the target's KV cache rolled
 * back to what was accepted. Target-only generation is the same loop with empty drafts.
 * <p>
 * Token bookkeeping: {@code committed} holds the prompt and every emitted token; the target's
 * cache holds its first {@code targetLength} (the last emitted token is always still pending).
 * In cascade mode the draft model runs ahead alone while confident; its tokens wait, unsent, in
 * the draft until the target verifies them — or, at the end, leave unverified.
 */
public final class Generation {

    private final GenerationRequest request;
    private final Sampler sampler;
    private final List<Drafter> drafters;
    private final SpeculationSettings settings;
    private final TokenEmitter out;
    private final int maxLength;
    private final Consumer<RoundRecord> rounds;
    private final DraftLength length;
    private Sequence sequence;
    private int[] committed;
    private int size;
    private int targetLength;
    private Draft draft = Draft.EMPTY;
    private boolean done;
    private int roundCount;
    private int drafted;
    private int accepted;
    private int verified;
    private int unverified;
    private long draftNanos;

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
        this.settings = drafters.isEmpty() ? SpeculationSettings.OFF : request.speculation();
        this.maxLength = maxLength;
        this.rounds = rounds;
        this.out = new TokenEmitter(request, vocab, sink);
        this.committed = Arrays.copyOf(request.prompt(), request.prompt().length + request.maxTokens() + 1);
        this.size = request.prompt().length;
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
     * The tokens to decode next: whatever the target has not seen, then this round's draft, with
     * logits from the last committed token on. Null when the generation ended without needing the
     * target (a cascade that finished on the draft model alone).
     *
     * @param concurrent sequences that will share the verify batch, this one included: the
     *                   draft-length policy drafts less under load
     */
    public DecodeStep nextStep(int concurrent) {
        if (done) throw new IllegalStateException("generation is done");
        long t0 = System.nanoTime();
        draft = switch (settings.mode()) {
            case OFF -> Draft.EMPTY;
            case LOSSLESS -> draftLossless(length.next(concurrent, draftLimit()));
            case CASCADE -> draftCascade();
        };
        if (done) return null;
        draftNanos = System.nanoTime() - t0;
        int[] tokens = new int[size - targetLength + draft.size()];
        System.arraycopy(committed, targetLength, tokens, 0, size - targetLength);
        System.arraycopy(draft.tokens(), 0, tokens, size - targetLength, draft.size());
        return new DecodeStep(sequence, tokens, size - 1 - targetLength);
    }

    /** Most tokens worth drafting: no more than max_tokens still allows, nor the sequence's share of the context. */
    private int draftLimit() {
        int byTokens = out.remaining() - 1;
        int byContext = maxLength - size - 1;
        return Math.max(0, Math.min(settings.k(), Math.min(byTokens, byContext)));
    }

    private Draft draftLossless(int limit) {
        if (limit <= 0) return Draft.EMPTY;
        StopRule stop = length.stopRule(); // for the k just chosen
        int[] context = Arrays.copyOf(committed, size);
        for (Drafter d : drafters) {
            Draft proposal = d.propose(context, request.prompt().length, limit, stop);
            if (!proposal.isEmpty()) return proposal;
        }
        return Draft.EMPTY;
    }

    /**
     * SLM-first: a free draft (prompt lookup) is verified at once, like a lossless draft; otherwise
     * the draft model generates alone while its confidence stays at or above tau, and the target is
     * called when it drops (or after max_unverified tokens). If the draft model reaches the end of
     * the generation first, its tokens are emitted unverified and the target is never called.
     */
    private Draft draftCascade() {
        int[] context = Arrays.copyOf(committed, size);
        ModelDrafter slm = null;
        for (Drafter d : drafters) {
            if (d instanceof ModelDrafter m) {
                if (slm == null) slm = m;
                continue;
            }
            Draft free = d.propose(context, request.prompt().length, draftLimit(), StopRule.NEVER);
            if (!free.isEmpty()) return free;
        }
        // Tokens that may still be emitted; the draft model's run never outgrows them.
        int room = Math.min(out.remaining(), maxLength - size - 1);
        if (slm == null || room <= 0) return Draft.EMPTY;
        List<Integer> tokens = new ArrayList<>();
        List<Distribution> qs = new ArrayList<>();
        List<Double> conf = new ArrayList<>();
        List<Logprobs.Position> logprobs = new ArrayList<>(); // the draft model's, for an unverified finish
        while (true) {
            Draft one = slm.propose(context, request.prompt().length, 1, StopRule.NEVER);
            int x = one.tokens()[0];
            tokens.add(x);
            qs.add(one.q().getFirst());
            conf.add(one.confidence()[0]);
            if (!one.logprobs().isEmpty()) logprobs.add(one.logprobs().getFirst());
            context = Arrays.copyOf(context, context.length + 1);
            context[context.length - 1] = x;
            if (one.confidence()[0] < settings.cascade().tau()) break; // not sure: the target takes over
            if (out.endsGeneration(x) || tokens.size() >= room) {
                finishUnverified(tokens, logprobs); // the draft model finished the answer alone
                return Draft.EMPTY;
            }
            if (tokens.size() >= settings.cascade().maxUnverified()) break;
        }
        return new Draft(tokens.stream().mapToInt(Integer::intValue).toArray(), qs,
                conf.stream().mapToDouble(Double::doubleValue).toArray(), 0);
    }

    /** Emits the draft model's tokens as they are; no target row scored them, so their logprobs are the draft's. */
    private void finishUnverified(List<Integer> tokens, List<Logprobs.Position> logprobs) {
        int[] emitted = tokens.stream().mapToInt(Integer::intValue).toArray();
        IntFunction<Logprobs.Position> logprob = logprobs.isEmpty() ? j -> null : logprobs::get;
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

    /**
     * Consumes the logits rows of the last step (one per draft token, plus one): verifies the
     * draft, rolls the target's cache back to the accepted prefix, and emits the new tokens.
     *
     * @param verifyNanos time of the batch decode these rows came from
     */
    public void onLogits(float[][] rows, long verifyNanos) {
        int k = draft.size();
        if (rows.length != k + 1) throw new IllegalStateException("expected " + (k + 1) + " logits rows, got " + rows.length);
        Verification v = verify(rows);
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
        draft = Draft.EMPTY;
        // Row j scored the token at draft position j, so it holds the target's distribution for the
        // j-th emitted token (accepted drafts, then the replacement or bonus).
        int[] emitted = v.emitted();
        IntFunction<Logprobs.Position> logprob = request.wantsLogprobs()
                ? j -> Logprobs.at(rows[j], emitted[j], request.logprobs()) : j -> null;
        if (emitAll(emitted, true, logprob) && size + 1 >= maxLength) finish(FinishReason.LENGTH);
    }

    /**
     * Lossless rejection sampling, or — in a cascade with a rollback threshold — BiLD's tolerant
     * check, which keeps a rejected draft when the target's own (temperature 1) distribution gives
     * it −ln p ≤ threshold; a greedy request's point masses could tolerate nothing.
     */
    private Verification verify(float[][] rows) {
        double rollback = settings.mode() == SpeculationMode.CASCADE ? settings.cascade().rollback() : 0.0;
        if (rollback == 0.0 || draft.isEmpty()) {
            // Target rows are processed only as far as verification gets.
            return RejectionSampler.verifyRows(draft.tokens(), draft.q(), rows, out.history(), sampler);
        }
        List<Distribution> p = sampler.distributions(rows, draft.tokens(), out.history());
        List<Distribution> scores = new ArrayList<>(draft.size());
        for (int i = 0; i < draft.size(); i++) scores.add(LogitsProcessor.process(rows[i], SamplingParams.defaults()));
        return RejectionSampler.verifyTolerant(draft.tokens(), draft.q(), p, rollback, scores, sampler::uniform);
    }

    public SpeculationSummary summary() {
        return new SpeculationSummary(settings.mode(), roundCount, drafted, accepted, verified, unverified);
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
        for (Drafter d : drafters) d.close();
    }
}
