package dev.specd.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.api.ResponseShape.Head;
import dev.specd.chat.ToolCallParser;
import dev.specd.chat.ToolOutput;
import dev.specd.engine.Vocab;
import dev.specd.runtime.GenerationEvent;
import dev.specd.sampling.Logprobs;
import dev.specd.sched.SchedulerException;

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
    /** Per choice: its tool-call parser when the answers may call tools, else null. */
    private final List<ToolCallParser> parsers = new ArrayList<>();
    /** Per choice: tool calls sent so far (each delta names its call's index). */
    private final java.util.Map<Integer, Integer> sentCalls = new java.util.HashMap<>();
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
            parsers.add(shape instanceof ResponseShape.Chat c && c.tools() != null
                    ? new ToolCallParser(c.tools().format(), c.tools().names(), c.tools().format().ids()) : null);
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
                if (t.text().isEmpty()) return;
                ToolCallParser parser = parsers.get(choice);
                if (parser == null) sendChunk(shape.chunk(head, choice, t.text(), takeLogprobs(choice)));
                else send(choice, parser.feed(t.text()));
            }
            case GenerationEvent.Done d -> {
                if (choice % Math.min(events.choices(), shape.choicesPerPrompt()) == 0) {
                    promptTokens += d.promptTokens(); // each prompt counted once, whatever its n
                }
                completionTokens += d.completionTokens();
                ToolCallParser parser = parsers.get(choice);
                String reason = d.reason().openAi();
                if (parser != null) {
                    send(choice, parser.finish());
                    if (parser.calls() > 0 && "stop".equals(reason)) reason = "tool_calls";
                }
                sendChunk(shape.closing(head, choice, reason, takeLogprobs(choice),
                        SpeculationMapper.report(d.speculation())));
            }
        }
    }

    /** What a choice's tool-call parser released: content chunks, and one chunk per whole call. */
    private void send(int choice, List<ToolOutput> outputs) throws IOException {
        ResponseShape.Chat chat = (ResponseShape.Chat) shape;
        for (ToolOutput o : outputs) {
            switch (o) {
                case ToolOutput.Content c -> sendChunk(shape.chunk(head, choice, c.text(), takeLogprobs(choice)));
                case ToolOutput.Call c -> sendChunk(chat.toolCallChunk(head, choice, callIndex(choice), c.call()));
            }
        }
    }

    private int callIndex(int choice) {
        return sentCalls.merge(choice, 1, Integer::sum) - 1;
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
