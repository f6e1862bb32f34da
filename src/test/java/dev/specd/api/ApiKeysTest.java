package dev.specd.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and matching of API keys, the bearer header, open paths and the token bucket, without a server. */
class ApiKeysTest {

    static ApiKeys keys(String... items) {
        return ApiKeys.parse(ApiKeys.listEntries(List.of(items)));
    }

    @Test
    void namedAndBareKeysMatchOnlyThemselves() {
        ApiKeys k = keys("alice:sk-alice-1", " sk-bare-2 ", "", "bob: sk:with:colons ");
        assertEquals(3, k.size());
        assertEquals("alice", k.find("sk-alice-1").orElseThrow().name());
        assertEquals("bob", k.find("sk:with:colons").orElseThrow().name());
        String bare = k.find("sk-bare-2").orElseThrow().name();
        assertTrue(bare.matches("key-[0-9a-f]{8}"), bare);
        assertEquals(bare, keys("sk-bare-2").find("sk-bare-2").orElseThrow().name(), "a bare key's name is stable");
        assertTrue(k.find("sk-alice-").isEmpty());
        assertTrue(k.find("sk-alice-1 ").isEmpty());
        assertTrue(k.find("alice").isEmpty(), "a name is not a key");
        assertTrue(k.find("").isEmpty());
    }

    @Test
    void badEntriesAreRefusedWithoutQuotingThem() {
        for (List<String> bad : List.of(List.of("alice:"), List.of("a b:sk-secret-1"), List.of("x:sk-secret-1", "x:sk-secret-2"),
                List.of("x:sk-secret-1", "y:sk-secret-1"), List.of("n".repeat(65) + ":sk-secret-1"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ApiKeys.parse(ApiKeys.listEntries(bad)), bad.toString());
            assertFalse(e.getMessage().contains("sk-secret"), e.getMessage());
            assertTrue(e.getMessage().contains("specd.api-keys item"), e.getMessage());
        }
    }

    @Test
    void aKeysFileSkipsCommentsAndNamesItsLines() {
        ApiKeys k = ApiKeys.parse(ApiKeys.fileEntries("keys.txt", "# team keys\nalice:sk-a\n\n  # old\r\nsk-b\n"));
        assertEquals(2, k.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(ApiKeys.fileEntries("keys.txt", "alice:sk-a\nbad name:sk-c\n")));
        assertEquals("keys.txt line 2: a key name is 1 to 64 of A-Z a-z 0-9 . _ -", e.getMessage());
    }

    @Test
    void theBearerHeaderIsReadStrictly() {
        assertEquals("sk-1", ApiKeyFilter.bearer(List.of("Bearer sk-1")));
        assertEquals("sk-1", ApiKeyFilter.bearer(List.of("bearer   sk-1 ")));
        assertNull(ApiKeyFilter.bearer(List.of()));
        assertNull(ApiKeyFilter.bearer(List.of("Basic c2stMQ==")));
        assertNull(ApiKeyFilter.bearer(List.of("Bearer ")));
        assertNull(ApiKeyFilter.bearer(List.of("Bearer sk-1", "Bearer sk-2")), "two headers: ambiguous");
    }

    @Test
    void healthIsAlwaysOpenAndOtherPathsOnlyWhenConfigured() {
        for (String p : List.of("/q/health", "/q/health/ready", "/q/health/live")) assertTrue(ApiKeyFilter.isOpen(p, List.of()), p);
        for (String p : List.of("/q/metrics", "/v1/pipelines", "/v1/models", "/q/healthy", "/"))
            assertFalse(ApiKeyFilter.isOpen(p, List.of()), p);
        List<String> open = List.of("/q/metrics", "/v1/pipelines/*");
        assertTrue(ApiKeyFilter.isOpen("/q/metrics", open));
        assertFalse(ApiKeyFilter.isOpen("/q/metrics/x", open));
        assertTrue(ApiKeyFilter.isOpen("/v1/pipelines", open));
        assertTrue(ApiKeyFilter.isOpen("/v1/pipelines/stories", open));
        assertFalse(ApiKeyFilter.isOpen("/v1/pipelinesx", open));
    }

    @Test
    void theTokenBucketRefillsItsCapacityPerMinute() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(600, now::get);
        assertEquals(0, b.tryTake(500));
        assertEquals(-1, b.tryTake(601), "more than the capacity never fits");
        assertEquals(30, b.tryTake(400), "300 missing at 600 per minute: 30 s");
        now.addAndGet(30_000_000_000L);
        assertEquals(0, b.tryTake(400));
        b.giveBack(1000);
        assertEquals(600, b.available(), 1e-9, "never above the capacity");
    }
}
