package dev.specd.api;

import dev.specd.api.ResponseShape.Choice;
import dev.specd.api.ResponseShape.Head;
import dev.specd.chat.ToolCall;
import dev.specd.chat.ToolCallParser;
import dev.specd.chat.ToolOutput;
import dev.specd.engine.Vocab;
import dev.specd.runtime.GenerationEvent;
import dev.specd.runtime.SpeculationSummary;
import dev.specd.sampling.Logprobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Collects the choices of a non-streamed answer as their events arrive, and shapes the whole answer. */
final class WholeAnswer {

    private WholeAnswer() {
    }

    /**
     * @param vocab for the texts of log-probabilities; null when the request asked for none
     * @return the endpoint's answer object
     */
    static Object collect(EventQueue events, ResponseShape shape, Head head, Vocab vocab, long timeoutMillis)
            throws IOException, InterruptedException {
        int n = events.choices();
        List<StringBuilder> texts = new ArrayList<>(n);
        List<List<Logprobs.Position>> positions = new ArrayList<>(n);
        GenerationEvent.Done[] done = new GenerationEvent.Done[n];
        for (int i = 0; i < n; i++) {
            texts.add(new StringBuilder());
            positions.add(new ArrayList<>());
        }
        events.forEach((choice, event) -> {
            switch (event) {
                case GenerationEvent.Text t -> {
                    texts.get(choice).append(t.text());
                    positions.get(choice).addAll(t.logprobs());
                }
                case GenerationEvent.Done d -> done[choice] = d; // failed ones never get here (EventQueue)
            }
        }, timeoutMillis);
        List<Choice> choices = new ArrayList<>(n);
        List<SpeculationSummary> speculation = new ArrayList<>(n);
        int completionTokens = 0;
        for (int i = 0; i < n; i++) {
            Object logprobs = vocab == null ? null : shape.logprobs(new TokenLogprobs(vocab).entries(positions.get(i)));
            choices.add(choice(shape, i, shape.echo(i) + texts.get(i), done[i].reason().openAi(), logprobs));
            speculation.add(done[i].speculation());
            completionTokens += done[i].completionTokens();
        }
        // As OpenAI counts n > 1: each prompt once, the completion tokens of every choice.
        int promptTokens = 0;
        for (int i = 0; i < n; i += Math.min(n, shape.choicesPerPrompt())) promptTokens += done[i].promptTokens();
        Responses.Usage usage = Responses.Usage.of(promptTokens, completionTokens);
        return shape.complete(head, choices, usage, SpeculationMapper.report(speculation));
    }

    /** A finished choice; with tools, its calls are taken out of the text and it finishes with "tool_calls". */
    private static Choice choice(ResponseShape shape, int index, String text, String finishReason, Object logprobs) {
        if (!(shape instanceof ResponseShape.Chat chat) || chat.tools() == null) return new Choice(index, text, finishReason, logprobs);
        ToolCallParser parser = new ToolCallParser(chat.tools().format(), chat.tools().names(), chat.tools().format().ids());
        StringBuilder content = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (ToolOutput o : parser.parseAll(text)) {
            switch (o) {
                case ToolOutput.Content c -> content.append(c.text());
                case ToolOutput.Call c -> calls.add(c.call());
            }
        }
        if (calls.isEmpty()) return new Choice(index, text, finishReason, logprobs);
        String rest = content.toString().strip();
        return new Choice(index, rest.isEmpty() ? null : rest, "stop".equals(finishReason) ? "tool_calls" : finishReason,
                logprobs, calls);
    }
}
