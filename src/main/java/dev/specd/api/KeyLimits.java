package dev.specd.api;

import dev.specd.runtime.GenerationEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Per-key limits ({@code specd.api-key-limits.*}) and usage counters, by key name:
 * <ul>
 * <li>concurrent requests: taken when a request is authenticated, given back when its response
 *     ends; one more is a 429 ({@code requests}, Retry-After 1 s);
 * <li>tokens per minute, a token bucket of that size refilled continuously. A request's size is
 *     known only at its end, so it reserves the most it can use — its prompt plus
 *     {@code max_tokens} for each of its {@code n} choices, as OpenAI counts it — when it is
 *     admitted, and gets back what it did not use when it ends (a request whose client left is
 *     charged what it generated until then). Without room in the bucket: 429 ({@code tokens})
 *     with Retry-After the seconds until there is; a request larger than the whole bucket: 429
 *     without Retry-After, as no wait helps.
 * </ul>
 * Counters: {@code specd_api_key_requests_total}, {@code specd_api_key_prompt_tokens_total},
 * {@code specd_api_key_completion_tokens_total}, {@code specd_api_key_rejected_total} (with
 * {@code reason}), all labelled {@code key} with the key's name.
 */
@Singleton
public class KeyLimits {

    /** Routing-context key of the authenticated {@link Account}. */
    static final String ACCOUNT = KeyLimits.class.getName() + ".account";

    private final ApiConfig.KeyLimitsConfig config;
    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    @Inject
    KeyLimits(ApiConfig config, MeterRegistry registry) {
        this(config.apiKeyLimits(), registry, System::nanoTime);
    }

    KeyLimits(ApiConfig.KeyLimitsConfig config, MeterRegistry registry, LongSupplier nanoClock) {
        this.config = config;
        this.registry = registry;
        this.nanoClock = nanoClock;
    }

    /** The limits and counters of the key named {@code name}. */
    Account account(String name) {
        return accounts.computeIfAbsent(name, n -> {
            ApiConfig.KeyOverride o = config.keys().get(n);
            int concurrent = o != null && o.concurrentRequests().isPresent() ? o.concurrentRequests().getAsInt()
                    : config.concurrentRequests();
            long tpm = o != null && o.tokensPerMinute().isPresent() ? o.tokensPerMinute().getAsLong()
                    : config.tokensPerMinute();
            return new Account(n, concurrent, tpm == 0 ? null : new TokenBucket(tpm, nanoClock), registry);
        });
    }

    /**
     * Takes one of the key's concurrent requests for {@code ctx} until its response ends.
     *
     * @throws ApiException 429 when the key has all of them in use
     */
    void admit(Account account, RoutingContext ctx) {
        account.enter();
        ctx.put(ACCOUNT, account);
        ctx.addEndHandler(v -> account.leave());
    }

    /**
     * Reserves the most tokens a generation request can use from its key's bucket and meters its
     * choices; settles when they have all ended. Requests without a key pass unmetered.
     *
     * @param maxTokens the request's max_tokens for each choice
     * @throws ApiException 429 when the bucket cannot cover it
     */
    KeyUsage charge(RoutingContext ctx, int promptTokens, int maxTokens, int choices) {
        Account account = ctx == null ? null : ctx.get(ACCOUNT);
        if (account == null) return KeyUsage.NONE;
        long reserved = promptTokens + (long) maxTokens * choices;
        account.reserve(reserved);
        return new KeyUsage(account, promptTokens, reserved, choices);
    }

    /** One key's limits and counters. */
    static final class Account {
        private final String name;
        private final int maxConcurrent;
        private final TokenBucket bucket;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final MeterRegistry registry;

        Account(String name, int maxConcurrent, TokenBucket bucket, MeterRegistry registry) {
            this.name = name;
            this.maxConcurrent = maxConcurrent;
            this.bucket = bucket;
            this.registry = registry;
        }

        String name() {
            return name;
        }

        void enter() {
            int now = inFlight.incrementAndGet();
            if (maxConcurrent > 0 && now > maxConcurrent) {
                inFlight.decrementAndGet();
                rejected("concurrency");
                throw new ApiException(429, "requests", null, "rate_limit_exceeded", "Rate limit reached for key '"
                        + name + "' on concurrent requests: limit " + maxConcurrent, 1);
            }
            registry.counter("specd.api.key.requests", "key", name).increment();
        }

        void leave() {
            inFlight.decrementAndGet();
        }

        void reserve(long tokens) {
            if (bucket == null) return;
            long waitSeconds = bucket.tryTake(tokens);
            if (waitSeconds == 0) return;
            rejected("tokens");
            if (waitSeconds < 0) {
                throw new ApiException(429, "tokens", null, "rate_limit_exceeded", "Request too large for key '" + name
                        + "' on tokens per minute: limit " + bucket.capacity() + ", requested " + tokens
                        + " (the prompt plus max_tokens for each choice)", 0);
            }
            throw new ApiException(429, "tokens", null, "rate_limit_exceeded", "Rate limit reached for key '" + name
                    + "' on tokens per minute: limit " + bucket.capacity() + ", requested " + tokens
                    + ". Please try again in " + waitSeconds + "s.", (int) Math.min(Integer.MAX_VALUE, waitSeconds));
        }

        void settle(long reserved, long prompt, long completion) {
            if (bucket != null) bucket.giveBack(Math.max(0, reserved - prompt - completion));
            if (prompt > 0) registry.counter("specd.api.key.prompt.tokens", "key", name).increment(prompt);
            if (completion > 0) registry.counter("specd.api.key.completion.tokens", "key", name).increment(completion);
        }

        private void rejected(String reason) {
            registry.counter("specd.api.key.rejected", "key", name, "reason", reason).increment();
        }
    }
}
