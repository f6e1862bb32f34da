package dev.specd.api;

import dev.specd.engine.Vocab;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;

/**
 * Cheap limits checked before expensive work ({@code specd.limits.*}): {@code logit_bias} is
 * bounded before anything else, and a prompt's size before it is tokenised (see {@link PromptBudget}).
 */
@ApplicationScoped
public class RequestLimits {

    private final int logitBiasMaxEntries;
    private final int maxPromptTokens;
    private final long maxPromptBytes;
    private final Duration tokenizeTimeout;

    @Inject
    RequestLimits(ApiConfig config) {
        this(config.limits().logitBiasMaxEntries(), config.limits().maxPromptTokens().orElse(Integer.MAX_VALUE),
                config.limits().maxPromptBytes().asLongValue(), config.limits().tokenizeTimeout());
    }

    RequestLimits(int logitBiasMaxEntries, int maxPromptTokens, long maxPromptBytes, Duration tokenizeTimeout) {
        this.logitBiasMaxEntries = logitBiasMaxEntries;
        this.maxPromptTokens = maxPromptTokens;
        this.maxPromptBytes = maxPromptBytes;
        this.tokenizeTimeout = tokenizeTimeout;
    }

    /**
     * Checks {@code logit_bias} (at most {@code specd.limits.logit-bias-max-entries} entries, each
     * key a token id of the vocabulary: 400s as OpenAI words them) and starts the request's prompt
     * budget: its tokenising deadline runs from now.
     *
     * @param sequenceBudget the tokens one sequence of the pipeline holds; a prompt must leave one
     * @param http           the request, to stop tokenising when its client has gone
     */
    PromptBudget begin(Map<String, Double> logitBias, Vocab vocab, int sequenceBudget, RoutingContext http) {
        if (logitBias != null) checkLogitBias(logitBias, vocab.size());
        int tokens = Math.min(maxPromptTokens, sequenceBudget - 1);
        String why = tokens == maxPromptTokens
                ? "This server accepts at most " + maxPromptTokens + " prompt tokens"
                : "This model's maximum context length is " + sequenceBudget + " tokens";
        return new PromptBudget(vocab, tokens, why, maxPromptBytes, System.nanoTime() + tokenizeTimeout.toNanos(),
                http == null ? () -> false : () -> http.response().closed());
    }

    void checkLogitBias(Map<String, Double> bias, int vocabSize) {
        if (bias.size() > logitBiasMaxEntries) {
            throw ApiException.invalid("logit_bias", "Invalid 'logit_bias': " + bias.size() + " entries; at most "
                    + logitBiasMaxEntries + " are allowed");
        }
        for (String key : bias.keySet()) {
            long token;
            try {
                token = Long.parseLong(key);
            } catch (NumberFormatException e) {
                throw ApiException.invalid("logit_bias", "Invalid key in 'logit_bias': '" + ApiException.echo(key)
                        + "'. Keys must be token ids");
            }
            if (token < 0 || token >= vocabSize) {
                throw ApiException.invalid("logit_bias", "Invalid key in 'logit_bias': " + token
                        + ". Token ids of this model run from 0 to " + (vocabSize - 1));
            }
        }
    }
}
