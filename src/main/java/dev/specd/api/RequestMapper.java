package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.engine.ChatMessage;
import dev.specd.plan.ExecutionPlan;
import dev.specd.plan.RequestDefaults;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks an OpenAI request and turns it into a {@link GenerationRequest}; every problem is a 400 naming its param. */
final class RequestMapper {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final int MAX_STOPS = 4;
    /** OpenAI's limits. */
    static final int MAX_N = 8;
    static final int MAX_CHAT_TOP_LOGPROBS = 20;
    static final int MAX_COMPLETION_LOGPROBS = 5;

    private RequestMapper() {
    }

    /** The generation under an output constraint (null: none); a constraint ends only on an end token, so ignore_eos cannot apply. */
    static GenerationRequest constrained(GenerationRequest g, dev.specd.constrain.TokenConstraint constraint) {
        if (constraint == null) return g;
        if (g.ignoreEos()) {
            throw ApiException.invalid("ignore_eos", "ignore_eos cannot be combined with a constrained output "
                    + "(response_format, guided decoding or a forced tool call): the constraint ends the answer");
        }
        return g.withConstraint(constraint);
    }

    static SamplingParams sampling(SamplingFields r, RequestDefaults defaults) {
        SamplingParams p = SamplingParams.defaults()
                .withTemperature(r.temperature() != null ? r.temperature() : defaults.temperature())
                .withTopP(r.topP() != null ? r.topP() : defaults.topP());
        if (r.topK() != null) p = p.withTopK(r.topK());
        if (r.minP() != null) p = p.withMinP(r.minP());
        if (r.presencePenalty() != null) p = p.withPresencePenalty(r.presencePenalty());
        if (r.frequencyPenalty() != null) p = p.withFrequencyPenalty(r.frequencyPenalty());
        if (r.repetitionPenalty() != null) p = p.withRepetitionPenalty(r.repetitionPenalty());
        if (r.logitBias() != null) p = p.withLogitBias(logitBias(r.logitBias()));
        if (r.seed() != null) p = p.withSeed(r.seed());
        return p;
    }

    private static Map<Integer, Float> logitBias(Map<String, Double> raw) {
        Map<Integer, Float> bias = new HashMap<>();
        for (var e : raw.entrySet()) {
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw ApiException.invalid("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
            }
            if (e.getValue() == null) throw ApiException.invalid("logit_bias", "logit_bias values must be numbers");
            bias.put(token, e.getValue().floatValue());
        }
        return bias;
    }

    static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        if (stop.isTextual()) return List.of(stop.asText());
        if (stop.isArray()) {
            if (stop.size() > MAX_STOPS) throw ApiException.invalid("stop", "stop may hold at most " + MAX_STOPS + " sequences");
            List<String> out = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "stop must be a string or an array of strings");
                out.add(s.asText());
            }
            return out;
        }
        throw ApiException.invalid("stop", "stop must be a string or an array of strings");
    }

    /**
     * The generations of the request's {@code n} choices, batched together by the engine loop.
     * Choice i samples with seed + i, so a seeded request still reproduces all its choices (and
     * choice 0 is the n = 1 answer); unseeded choices draw independent seeds; greedy ones are equal.
     */
    static List<GenerationRequest> choices(GenerationRequest g, Integer n) {
        int count = n == null ? 1 : n;
        List<GenerationRequest> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SamplingParams p = g.sampling();
            out.add(p.seed().isPresent() ? g.withSampling(p.withSeed(p.seed().getAsLong() + i)) : g);
        }
        return out;
    }

    private static void checkN(Integer n) {
        if (n != null && (n < 1 || n > MAX_N)) {
            throw ApiException.invalid("n", "n must be between 1 and " + MAX_N + ", got " + n);
        }
    }

    /** OpenAI refuses stream_options on a request that does not stream. */
    private static void checkStreamOptions(SamplingFields r) {
        if (r.streamOptions() != null && !Boolean.TRUE.equals(r.stream())) {
            throw ApiException.invalid("stream_options", "stream_options is only allowed when stream is true");
        }
    }

    /** Chat's {@code logprobs} (a boolean) and {@code top_logprobs} (0..20) as a {@link GenerationRequest#logprobs()}. */
    static int chatLogprobs(Boolean logprobs, Integer top) {
        if (top != null) {
            if (top < 0 || top > MAX_CHAT_TOP_LOGPROBS) {
                throw ApiException.invalid("top_logprobs", "top_logprobs must be between 0 and "
                        + MAX_CHAT_TOP_LOGPROBS + ", got " + top);
            }
            if (!Boolean.TRUE.equals(logprobs)) {
                throw ApiException.invalid("top_logprobs", "top_logprobs requires logprobs to be true");
            }
        }
        if (!Boolean.TRUE.equals(logprobs)) return GenerationRequest.NO_LOGPROBS;
        return top == null ? 0 : top;
    }

    /** The completions endpoint's {@code logprobs} (an integer 0..5: how many alternatives) as a {@link GenerationRequest#logprobs()}. */
    static int completionLogprobs(Integer logprobs) {
        if (logprobs == null) return GenerationRequest.NO_LOGPROBS;
        if (logprobs < 0 || logprobs > MAX_COMPLETION_LOGPROBS) {
            throw ApiException.invalid("logprobs", "logprobs must be between 0 and " + MAX_COMPLETION_LOGPROBS
                    + ", got " + logprobs);
        }
        return logprobs;
    }

    static List<ChatMessage> messages(List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) throw ApiException.invalid("messages", "messages must be a non-empty array");
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            String param = "messages[" + i + "]";
            if (m == null) throw ApiException.invalid(param, param + " must be an object");
            if (m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.invalid(param + ".role", param + ".role must be one of " + ROLES.stream().sorted().toList());
            }
            out.add(new ChatMessage(m.role(), content(m.content(), param + ".content")));
        }
        return out;
    }

    private static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.invalid(param, param + " parts must be {\"type\":\"text\",\"text\":...}; "
                            + "this server reads text only");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.invalid(param, param + " must be a string or an array of text parts");
    }

    /**
     * Builds the generation, rejecting before any work a prompt that cannot fit: prompt tokens plus
     * max_tokens must fit the sequence's share of the context.
     *
     * @param logprobs the request's {@link GenerationRequest#logprobs()}, already checked
     */
    static GenerationRequest generation(Pipeline engine, int[] prompt, Integer maxTokens, String maxTokensParam,
                                        SamplingFields r, String promptParam, int logprobs) {
        ExecutionPlan plan = engine.plan();
        int budget = plan.sequenceBudget();
        if (prompt.length == 0) throw ApiException.invalid(promptParam, "the prompt is empty");
        if (prompt.length >= budget) {
            throw ApiException.invalid(promptParam, "This model's maximum context length is " + budget
                    + " tokens, but the prompt has " + prompt.length + " tokens");
        }
        int max;
        if (maxTokens == null) {
            max = Math.min(plan.defaults().maxTokens(), budget - prompt.length);
        } else {
            if (maxTokens < 1) throw ApiException.invalid(maxTokensParam, maxTokensParam + " must be at least 1");
            if (prompt.length + maxTokens > budget) {
                throw ApiException.invalid(maxTokensParam, "This model's maximum context length is " + budget
                        + " tokens; the prompt has " + prompt.length + " tokens and " + maxTokensParam + " is "
                        + maxTokens + ". Reduce the prompt or " + maxTokensParam + ".");
            }
            max = maxTokens;
        }
        checkN(r.n());
        checkStreamOptions(r);
        SamplingParams sampling = sampling(r, plan.defaults());
        return new GenerationRequest(prompt, sampling, max, stops(r.stop()), Boolean.TRUE.equals(r.ignoreEos()),
                SpeculationMapper.settings(plan, r.speculation(), sampling.seed().isPresent()), logprobs);
    }

}
