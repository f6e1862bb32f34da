package dev.specd.api;

import dev.specd.api.Responses.ChatChoice;
import dev.specd.api.Responses.ChatChunkChoice;
import dev.specd.api.Responses.ChatCompletion;
import dev.specd.api.Responses.ChatCompletionChunk;
import dev.specd.api.Responses.ChatLogprobs;
import dev.specd.api.Responses.ChatTokenLogprob;
import dev.specd.api.Responses.ChatTopLogprob;
import dev.specd.api.Responses.Completion;
import dev.specd.api.Responses.CompletionChoice;
import dev.specd.api.Responses.CompletionChunk;
import dev.specd.api.Responses.CompletionLogprobs;
import dev.specd.api.Responses.Delta;
import dev.specd.api.Responses.Speculation;
import dev.specd.api.Responses.Usage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** How one endpoint shapes its answers: chat messages and deltas, or plain completion text. */
sealed interface ResponseShape {

    /** What every chunk and answer of one response repeats. */
    record Head(String id, long created, String model) {
    }

    /**
     * One finished choice of a whole answer; {@code logprobs} is already shaped (or null).
     *
     * @param text      the answer's text; null when it is only tool calls
     * @param toolCalls the calls found in the answer (chat with tools), else empty
     */
    record Choice(int index, String text, String finishReason, Object logprobs, List<dev.specd.chat.ToolCall> toolCalls) {
        Choice(int index, String text, String finishReason, Object logprobs) {
            this(index, text, finishReason, logprobs, List.of());
        }
    }

    String newId();

    /** Consecutive choices that share one prompt (its tokens count once in the usage). */
    default int choicesPerPrompt() {
        return Integer.MAX_VALUE;
    }

    /** Text put before choice {@code index}'s answer ({@code echo}), or "". */
    default String echo(int index) {
        return "";
    }

    /** The first chunk of choice {@code index}'s stream, or null if the endpoint sends none. */
    Object opening(Head head, int index);

    Object chunk(Head head, int index, String text, Object logprobs);

    /** The last chunk of a choice: its finish reason, and what speculation did for it. */
    Object closing(Head head, int index, String finishReason, Object logprobs, Speculation speculation);

    /** The chunk of {@code stream_options.include_usage}: no choices, the whole request's usage. */
    Object usage(Head head, Usage usage);

    Object complete(Head head, List<Choice> choices, Usage usage, Speculation speculation);

    /** The endpoint's logprobs object for these tokens, or null for none. */
    Object logprobs(List<TokenLogprobs.Entry> entries);

    static String randomId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** @param tools how to find tool calls in the answers, or null when they are plain text */
    record Chat(ChatMapper.Tools tools) implements ResponseShape {

        Chat() {
            this(null);
        }

        /** A chunk carrying one tool call whole ({@code index}: its place among the choice's calls). */
        Object toolCallChunk(Head head, int index, int callIndex, dev.specd.chat.ToolCall call) {
            Delta delta = new Delta(null, null, List.of(new Responses.ToolCallDelta(callIndex, call.id(), "function",
                    new Responses.FunctionCall(call.name(), call.arguments()))));
            return chunk(head, new ChatChunkChoice(index, delta, null, null), null);
        }

        @Override
        public String newId() {
            return randomId("chatcmpl-");
        }

        @Override
        public Object opening(Head head, int index) {
            return chunk(head, new ChatChunkChoice(index, new Delta("assistant", ""), null, null), null);
        }

        @Override
        public Object chunk(Head head, int index, String text, Object logprobs) {
            return chunk(head, new ChatChunkChoice(index, new Delta(null, text), logprobs, null), null);
        }

        @Override
        public Object closing(Head head, int index, String finishReason, Object logprobs, Speculation speculation) {
            return chunk(head, new ChatChunkChoice(index, new Delta(null, null), logprobs, finishReason), speculation);
        }

        @Override
        public Object usage(Head head, Usage usage) {
            return new ChatCompletionChunk(head.id(), "chat.completion.chunk", head.created(), head.model(), List.of(),
                    usage, null);
        }

        private static ChatCompletionChunk chunk(Head head, ChatChunkChoice choice, Speculation speculation) {
            return new ChatCompletionChunk(head.id(), "chat.completion.chunk", head.created(), head.model(),
                    List.of(choice), null, speculation);
        }

        @Override
        public Object complete(Head head, List<Choice> choices, Usage usage, Speculation speculation) {
            return new ChatCompletion(head.id(), "chat.completion", head.created(), head.model(), choices.stream()
                    .map(c -> new ChatChoice(c.index(), new Responses.ChatMessage("assistant", c.text(), c.toolCalls()
                            .stream().map(t -> new Responses.ToolCall(t.id(), "function",
                                    new Responses.FunctionCall(t.name(), t.arguments()))).toList()), c.logprobs(),
                            c.finishReason()))
                    .toList(), usage, speculation);
        }

        @Override
        public Object logprobs(List<TokenLogprobs.Entry> entries) {
            return new ChatLogprobs(entries.stream().map(e -> new ChatTokenLogprob(e.chosen().text(),
                    e.chosen().logprob(), e.chosen().bytes(), e.top().stream()
                    .map(t -> new ChatTopLogprob(t.text(), t.logprob(), t.bytes())).toList())).toList());
        }
    }

    /**
     * @param perPrompt choices per prompt (n): choice i answers prompt i / n
     * @param echoes    per prompt, the text {@code echo} puts before its answers; empty for none
     */
    record Text(int perPrompt, List<String> echoes) implements ResponseShape {
        Text() {
            this(Integer.MAX_VALUE, List.of());
        }

        @Override
        public int choicesPerPrompt() {
            return perPrompt;
        }

        @Override
        public String echo(int index) {
            return echoes.isEmpty() ? "" : echoes.get(index / perPrompt);
        }

        @Override
        public String newId() {
            return randomId("cmpl-");
        }

        @Override
        public Object opening(Head head, int index) {
            return echo(index).isEmpty() ? null : chunk(head, index, echo(index), null);
        }

        @Override
        public Object chunk(Head head, int index, String text, Object logprobs) {
            return chunk(head, new CompletionChoice(index, text, logprobs, null), null);
        }

        @Override
        public Object closing(Head head, int index, String finishReason, Object logprobs, Speculation speculation) {
            return chunk(head, new CompletionChoice(index, "", logprobs, finishReason), speculation);
        }

        @Override
        public Object usage(Head head, Usage usage) {
            return new CompletionChunk(head.id(), "text_completion", head.created(), head.model(), List.of(), usage,
                    null);
        }

        private static CompletionChunk chunk(Head head, CompletionChoice choice, Speculation speculation) {
            return new CompletionChunk(head.id(), "text_completion", head.created(), head.model(), List.of(choice),
                    null, speculation);
        }

        @Override
        public Object complete(Head head, List<Choice> choices, Usage usage, Speculation speculation) {
            return new Completion(head.id(), "text_completion", head.created(), head.model(), choices.stream()
                    .map(c -> new CompletionChoice(c.index(), c.text(), c.logprobs(), c.finishReason()))
                    .toList(), usage, speculation);
        }

        /**
         * OpenAI's legacy shape: {@code top_logprobs} maps token text to logprob and, as OpenAI documents,
         * always holds the chosen token, so it has up to {@code logprobs} + 1 entries. Two tokens with the
         * same text keep the likelier one's value (the list is sorted most likely first).
         */
        @Override
        public Object logprobs(List<TokenLogprobs.Entry> entries) {
            List<String> tokens = new ArrayList<>(entries.size());
            List<Double> values = new ArrayList<>(entries.size());
            List<Map<String, Double>> top = new ArrayList<>(entries.size());
            List<Integer> offsets = new ArrayList<>(entries.size());
            for (TokenLogprobs.Entry e : entries) {
                tokens.add(e.chosen().text());
                values.add(e.chosen().logprob());
                Map<String, Double> alternatives = new LinkedHashMap<>();
                for (TokenLogprobs.Token t : e.top()) alternatives.putIfAbsent(t.text(), t.logprob());
                alternatives.putIfAbsent(e.chosen().text(), e.chosen().logprob());
                top.add(alternatives);
                offsets.add(e.textOffset());
            }
            return new CompletionLogprobs(tokens, values, top, offsets);
        }
    }
}
