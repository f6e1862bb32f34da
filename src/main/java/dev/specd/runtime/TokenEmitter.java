package dev.specd.runtime;

import dev.specd.engine.Utf8StreamDecoder;
import dev.specd.engine.Vocab;
import dev.specd.sampling.Logprobs;
import dev.specd.sampling.TokenCounts;

import java.util.List;
import java.util.function.Consumer;

/**
 * The output side of a generation: turns final tokens into text events, watching for
 * end-of-generation tokens, stop strings and max_tokens. Text is released through a UTF-8 decoder
 * and a stop-string matcher, so clients never see half a character or part of a stop string.
 */
final class TokenEmitter {

    private final GenerationRequest request;
    private final Vocab vocab;
    private final Consumer<GenerationEvent> sink;
    private final Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
    private final StopMatcher stops;
    /** Generated tokens, for penalties. */
    private final TokenCounts history = new TokenCounts();

    TokenEmitter(GenerationRequest request, Vocab vocab, Consumer<GenerationEvent> sink) {
        this.request = request;
        this.vocab = vocab;
        this.sink = sink;
        this.stops = new StopMatcher(request.stop());
    }

    TokenCounts history() {
        return history;
    }

    int generated() {
        return history.size();
    }

    int remaining() {
        return request.maxTokens() - history.size();
    }

    boolean endsGeneration(int token) {
        return vocab.isEndOfGeneration(token) && !request.ignoreEos();
    }

    /**
     * Emits one token; returns why the generation ends with it, or null to go on.
     *
     * @param logprob the token's log-probabilities, or null when the request wants none
     */
    FinishReason emit(int token, Logprobs.Position logprob) {
        if (endsGeneration(token)) return FinishReason.STOP;
        history.add(token);
        StopMatcher.Result r = stops.feed(utf8.append(vocab.pieceBytes(token, false)));
        // A token that completes a stop string still counts as generated (usage), so its
        // log-probability is reported too, even though its text is not.
        if (!r.emit().isEmpty() || !r.stopped() || logprob != null) {
            sink.accept(new GenerationEvent.Text(r.emit(), new int[] {token},
                    logprob == null ? List.of() : List.of(logprob)));
        }
        if (r.stopped()) return FinishReason.STOP;
        return history.size() >= request.maxTokens() ? FinishReason.LENGTH : null;
    }

    void finish(FinishReason reason, SpeculationSummary speculation) {
        // Release what was held back: bytes of an unfinished character, and text that only
        // looked like the start of a stop string (no stop string followed it after all).
        StopMatcher.Result last = stops.feed(utf8.flush());
        String rest = last.emit() + (last.stopped() ? "" : stops.flush());
        if (!rest.isEmpty()) sink.accept(new GenerationEvent.Text(rest, new int[0]));
        sink.accept(new GenerationEvent.Done(reason, request.prompt().length, history.size(), null, speculation));
    }

    void abort(FinishReason reason, String error, SpeculationSummary speculation) {
        sink.accept(new GenerationEvent.Done(reason, request.prompt().length, history.size(), error, speculation));
    }
}
