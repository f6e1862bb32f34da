package dev.specd.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The HTTP layer's own settings: how long a body may take to arrive, cheap limits checked before
 * expensive work, and optional API keys with per-key limits. {@code specd.*} like the server's
 * other settings (each also an environment variable: {@code specd.api-keys} is {@code SPECD_API_KEYS}).
 */
@ConfigMapping(prefix = "specd")
public interface ApiConfig {

    Http http();

    Limits limits();

    /**
     * API keys, comma-separated, each {@code name:key} or a bare key (named {@code key-} and the
     * first 8 hex digits of its SHA-256). None, and no {@link #apiKeysFile()}: no authentication.
     */
    @WithName("api-keys")
    Optional<List<String>> apiKeys();

    /** A file of API keys, one per line in the same format ({@code #} comments); re-read when it changes. */
    @WithName("api-keys-file")
    Optional<String> apiKeysFile();

    /** How often the keys file is checked for changes. */
    @WithName("api-keys-reload-interval")
    @WithDefault("2s")
    Duration apiKeysReloadInterval();

    /**
     * Paths (exact, or a prefix ending in {@code /*}) served without a key when keys are set,
     * e.g. {@code /q/metrics,/v1/pipelines/*}. {@code /q/health} and below are always open.
     */
    @WithName("api-keys-open-paths")
    Optional<List<String>> apiKeysOpenPaths();

    @WithName("api-key-limits")
    KeyLimitsConfig apiKeyLimits();

    interface Http {
        /** The longest a request body may take to arrive, from its headers to its last byte. */
        @WithName("body-timeout")
        @WithDefault("60s")
        Duration bodyTimeout();

        /** The longest pause between two parts of a request body. */
        @WithName("body-idle-timeout")
        @WithDefault("10s")
        Duration bodyIdleTimeout();
    }

    interface Limits {
        /** The most tokens a prompt may have; without it, the pipeline's share of the context decides. */
        @WithName("max-prompt-tokens")
        OptionalInt maxPromptTokens();

        /** The most UTF-8 bytes a prompt (all chat messages together) may have, checked before tokenising. */
        @WithName("max-prompt-bytes")
        @WithDefault("1M")
        MemorySize maxPromptBytes();

        /** The longest tokenising one prompt may take. */
        @WithName("tokenize-timeout")
        @WithDefault("10s")
        Duration tokenizeTimeout();

        /** The most entries {@code logit_bias} may have (OpenAI allows 300). */
        @WithName("logit-bias-max-entries")
        @WithDefault("300")
        int logitBiasMaxEntries();
    }

    /** Limits per API key; 0 = unlimited. {@code keys.<name>.*} overrides them for one key. */
    interface KeyLimitsConfig {
        /** Requests one key may have in progress at once. */
        @WithName("concurrent-requests")
        @WithDefault("0")
        int concurrentRequests();

        /** Prompt plus completion tokens one key may use per minute (a token bucket of that size). */
        @WithName("tokens-per-minute")
        @WithDefault("0")
        long tokensPerMinute();

        Map<String, KeyOverride> keys();
    }

    interface KeyOverride {
        @WithName("concurrent-requests")
        OptionalInt concurrentRequests();

        @WithName("tokens-per-minute")
        OptionalLong tokensPerMinute();
    }
}
