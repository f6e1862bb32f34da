package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.engine.Vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The legacy completions endpoint's own fields: prompts (a string, token ids, or a list of
 * either — one answer group per prompt, choices indexed across them), {@code echo}, and the
 * fields it cannot honour ({@code suffix}, {@code best_of} above {@code n}), refused by name.
 */
final class CompletionMapper {

    /** Prompts one request may carry (each runs n choices): bounds the work one request queues. */
    static final int MAX_PROMPTS = 16;

    private CompletionMapper() {
    }

    static void checkUnsupported(CompletionRequest r) {
        if (r.suffix() != null && !r.suffix().isEmpty()) {
            throw ApiException.unsupported("suffix", "suffix (fill-in-the-middle) is not supported by this server");
        }
        int n = r.n() == null ? 1 : r.n();
        if (r.bestOf() != null && r.bestOf() != n) {
            throw ApiException.unsupported("best_of", "best_of other than n is not supported: this server does not "
                    + "rank extra candidates (best_of " + r.bestOf() + ", n " + n + ")");
        }
        if (Boolean.TRUE.equals(r.echo()) && r.logprobs() != null) {
            throw ApiException.unsupported("echo", "echo together with logprobs is not supported: the prompt's tokens "
                    + "are not scored");
        }
    }

    /**
     * Each prompt's tokens: a string, an array of token ids, or an array of strings or of token-id
     * arrays; texts are sized and tokenised within {@code budget}, token arrays checked against it.
     */
    static List<int[]> prompts(JsonNode prompt, PromptBudget budget) {
        Vocab vocab = budget.vocab();
        if (prompt == null || prompt.isNull()) throw ApiException.invalid("prompt", "prompt is required");
        if (prompt.isTextual()) return List.of(budget.tokenize(prompt.asText(), "prompt"));
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw ApiException.invalid("prompt", "prompt must be a string, an array of strings, an array of token ids "
                    + "or an array of token-id arrays");
        }
        if (prompt.get(0).isInt()) {
            budget.checkTokens(prompt.size(), "prompt");
            return List.of(tokens(prompt, vocab, "prompt"));
        }
        if (prompt.size() > MAX_PROMPTS) {
            throw ApiException.invalid("prompt", "at most " + MAX_PROMPTS + " prompts per request, got " + prompt.size());
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode p = prompt.get(i);
            if (p.isTextual()) {
                out.add(budget.tokenize(p.asText(), "prompt[" + i + "]"));
            } else if (p.isArray() && !p.isEmpty()) {
                budget.checkTokens(p.size(), "prompt[" + i + "]");
                out.add(tokens(p, vocab, "prompt[" + i + "]"));
            }
            else {
                throw ApiException.invalid("prompt[" + i + "]", "prompt[" + i + "] must be a string or an array of token ids");
            }
        }
        return out;
    }

    /** Token ids checked against the vocabulary; a 400 naming {@code param} for any other value. */
    static int[] tokens(JsonNode ids, Vocab vocab, String param) {
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode t = ids.get(i);
            if (!t.isInt() || t.asInt() < 0 || t.asInt() >= vocab.size()) {
                throw ApiException.invalid(param, param + " token " + i + " is not a token id in 0.." + (vocab.size() - 1));
            }
            tokens[i] = t.asInt();
        }
        return tokens;
    }

    /** The prompt's text as echo shows it: its tokens detokenised, without the BOS the tokenizer added. */
    static String echo(int[] prompt, Vocab vocab) {
        int from = prompt.length > 0 && prompt[0] == vocab.bos() ? 1 : 0;
        return vocab.detokenize(Arrays.copyOfRange(prompt, from, prompt.length), false);
    }
}
