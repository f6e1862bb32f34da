package dev.specd.runtime;

import dev.specd.engine.DecodeStep;
import dev.specd.engine.Sequence;
import dev.specd.engine.Utf8StreamDecoder;
import dev.specd.engine.Vocab;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.TokenCounts;

import java.util.function.Consumer;

/**
 * One request's target-only generation as a state machine the engine loop drives: the loop asks
 * for the next {@link DecodeStep} (the prompt first, then each sampled token), decodes the steps
 * of all running generations in one batch, and hands each its logits back. Text is released
 * through a UTF-8 decoder and a stop-string matcher, so clients never see half a character or
 * part of a stop string.
 */
public final class Generation {

    private final GenerationRequest request;
    private final Vocab vocab;
    private final Sampler sampler;
    private final TokenCounts history = new TokenCounts();
    private final Consumer<GenerationEvent> sink;
    private final Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
    private final StopMatcher stops;
    private final int maxLength;
    private Sequence sequence;
    private int[] pending;
    private int generated;
    private boolean done;

    /**
     * @param maxLength tokens the sequence may hold in all (its share of the context)
     */
    public Generation(GenerationRequest request, Vocab vocab, Sampler sampler, int maxLength,
                      Consumer<GenerationEvent> sink) {
        this.request = request;
        this.vocab = vocab;
        this.sampler = sampler;
        this.maxLength = maxLength;
        this.sink = sink;
        this.stops = new StopMatcher(request.stop());
    }

    public void attach(Sequence sequence) {
        this.sequence = sequence;
        this.pending = request.prompt();
    }

    public boolean isDone() {
        return done;
    }

    public Sequence sequence() {
        return sequence;
    }

    /** The tokens to decode next: the whole prompt first, then the last sampled token. */
    public DecodeStep nextStep() {
        if (done || pending == null) throw new IllegalStateException("no step to decode");
        return DecodeStep.lastLogits(sequence, pending);
    }

    /** Consumes the next-token logits of the last step: samples, emits, and decides whether to go on. */
    public void onLogits(float[] logits) {
        pending = null;
        int token = sampler.sample(logits, history);
        if (vocab.isEndOfGeneration(token) && !request.ignoreEos()) {
            finish(FinishReason.STOP);
            return;
        }
        generated++;
        history.add(token);
        String text = utf8.append(vocab.pieceBytes(token, false));
        StopMatcher.Result r = stops.feed(text);
        if (!r.emit().isEmpty() || !r.stopped()) sink.accept(new GenerationEvent.Text(r.emit(), new int[] {token}));
        if (r.stopped()) {
            finish(FinishReason.STOP);
        } else if (generated >= request.maxTokens() || sequence.length() + 1 >= maxLength) {
            finish(FinishReason.LENGTH);
        } else {
            pending = new int[] {token};
        }
    }

    /** Ends the generation for a reason from outside (cancellation, engine failure). */
    public void abort(FinishReason reason, String error) {
        if (done) return;
        done = true;
        sink.accept(new GenerationEvent.Done(reason, request.prompt().length, generated, error));
    }

    private void finish(FinishReason reason) {
        // Release what was held back: bytes of an unfinished character, and text that only
        // looked like the start of a stop string (no stop string followed it after all).
        StopMatcher.Result last = stops.feed(utf8.flush());
        String rest = last.emit() + (last.stopped() ? "" : stops.flush());
        if (!rest.isEmpty()) sink.accept(new GenerationEvent.Text(rest, new int[0]));
        done = true;
        sink.accept(new GenerationEvent.Done(reason, request.prompt().length, generated, null));
    }
}
