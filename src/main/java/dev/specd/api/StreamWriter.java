package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.api.ResponseShape.Head;
import dev.specd.engine.Vocab;
import dev.specd.runtime.GenerationEvent;
import dev.specd.sched.SchedulerException;
import dev.specd.sampling.Logprobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one streamed answer as Server-Sent Events: the chunks of all its choices interleaved as
 * they come, each naming its {@code index}; every choice ends with its own chunk carrying its
 * finish reason and speculation report; then, with {@code stream_options.include_usage}, a chunk
 * with no choices and the usage; then {@code data: [DONE]}. One instance per response.
 */
final class StreamWriter {

    private final ObjectMapper json;
    private final EventQueue events;
    private final ResponseShape shape;
    private final Head head;
    private final boolean includeUsage;
    private final OutputStream out;
    /** Per choice: texts and offsets for its log-probabilities; empty when the request wants none. */
    private final List<TokenLogprobs> logprobs = new ArrayList<>();
    /** Per choice: log-probabilities of tokens whose text is still held back (part of a character or a stop string). */
    private final List<List<Logprobs.Position>> pending = new ArrayList<>();
    private int promptTokens;
    private int completionTokens;

    /** @param vocab for the texts of log-probabilities; null when the request asked for none */
    StreamWriter(ObjectMapper json, ResponseShape shape, Head head, EventQueue events, Vocab vocab, boolean includeUsage,
                 OutputStream out) {
        this.json = json;
        this.events = events;
        this.shape = shape;
        this.head = head;
        this.includeUsage = includeUsage;
        this.out = out;
        for (int i = 0; i < events.choices(); i++) {
            if (vocab != null) logprobs.add(new TokenLogprobs(vocab));
            pending.add(new ArrayList<>());
        }
    }

    void write(long timeoutMillis) throws IOException {
        try {
            try {
                for (int i = 0; i < events.choices(); i++) {
                    Object opening = shape.opening(head, i);
                    if (opening != null) sendChunk(opening);
                }
                events.forEach(this::on, timeoutMillis);
                if (includeUsage) sendChunk(shape.usage(head, Responses.Usage.of(promptTokens, completionTokens)));
            } catch (ApiException e) {
                events.cancel(); // one choice failed: the answer is over, free the others' sequences
                send(e.body());
            } catch (RuntimeException e) {
                events.cancel();
                // A timeout or shutdown ends a stream with the error a plain request would get.
                send((e instanceof SchedulerException s ? ErrorMappers.scheduling(s)
                        : ApiException.generationFailed(String.valueOf(e.getMessage()))).body());
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            events.cancel(); // the client is gone: free the sequences now
            throw e;
        } catch (InterruptedException e) {
            events.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private void on(int choice, GenerationEvent event) throws IOException {
        switch (event) {
            case GenerationEvent.Text t -> {
                pending.get(choice).addAll(t.logprobs());
                // Tokens whose text is held back send their logprobs with the chunk that releases it.
                if (!t.text().isEmpty()) sendChunk(shape.chunk(head, choice, t.text(), takeLogprobs(choice)));
            }
            case GenerationEvent.Done d -> {
                promptTokens = d.promptTokens(); // the same prompt for every choice: counted once
                completionTokens += d.completionTokens();
                sendChunk(shape.closing(head, choice, d.reason().openAi(), takeLogprobs(choice),
                        SpeculationMapper.report(d.speculation())));
            }
        }
    }

    private Object takeLogprobs(int choice) {
        List<Logprobs.Position> positions = pending.get(choice);
        if (positions.isEmpty()) return null;
        Object shaped = shape.logprobs(logprobs.get(choice).entries(positions));
        positions.clear();
        return shaped;
    }

    /** A chunk; with include_usage OpenAI sends {@code "usage": null} in every chunk but the usage one. */
    private void sendChunk(Object chunk) throws IOException {
        if (!includeUsage) {
            send(chunk);
            return;
        }
        ObjectNode node = json.valueToTree(chunk);
        if (!node.has("usage")) node.putNull("usage");
        send(node);
    }

    private void send(Object body) throws IOException {
        out.write(("data: " + json.writeValueAsString(body) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
