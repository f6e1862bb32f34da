package dev.specd.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With API keys set, every path but {@code /q/health} needs a valid Bearer key (401
 * {@code invalid_api_key} otherwise, metrics and pipelines included); a key's concurrent requests
 * and tokens per minute are limited (429 with Retry-After); its usage is counted under its name,
 * never its key; the keys file is re-read when it changes. Parsing details: {@link ApiKeysTest}.
 */
@QuarkusTest
@TestProfile(ApiKeyAuthTest.WithKeys.class)
class ApiKeyAuthTest {

    static final Path KEYS_FILE = Path.of(System.getProperty("java.io.tmpdir"),
            "specd-api-keys-test-" + ProcessHandle.current().pid() + ".txt");
    static final String ALICE = "sk-test-alice-0001";
    static final String LIMITED = "sk-test-limited-0002";
    static final String METERED = "sk-test-metered-0003";
    static final String BARE = "sk-test-bare-0004";
    static final String FROM_FILE = "sk-test-file-0005";

    public static final class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            write("filekey:" + FROM_FILE + "\n");
            return Map.of("specd.pipelines.embedded", "stories",
                    "specd.api-keys", "alice:" + ALICE + ",limited:" + LIMITED + ",metered:" + METERED + "," + BARE,
                    "specd.api-keys-file", KEYS_FILE.toString(), "specd.api-keys-reload-interval", "100ms",
                    "specd.api-key-limits.keys.limited.concurrent-requests", "1",
                    "specd.api-key-limits.keys.metered.tokens-per-minute", "100");
        }
    }

    static void write(String keys) {
        try {
            Files.writeString(KEYS_FILE, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeKeysFile() throws IOException {
        Files.deleteIfExists(KEYS_FILE);
    }

    @TestHTTPResource("/v1")
    URL v1;

    static Response get(String path, String key) {
        var r = given();
        if (key != null) r = r.header("Authorization", "Bearer " + key);
        return r.get(path);
    }

    static Response complete(String key, String body) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json").body(body)
                .post("/v1/completions");
    }

    @Test
    void withoutAValidKeyEveryProtectedPathIs401() {
        for (String path : new String[] {"/v1/models", "/q/metrics", "/v1/pipelines", "/v1/pipelines/stories",
                "/no/such/path"}) {
            for (String key : new String[] {null, "sk-wrong", ALICE + "x", "alice"}) {
                get(path, key).then().statusCode(401).header("WWW-Authenticate", "Bearer")
                        .body("error.type", equalTo("invalid_request_error"))
                        .body("error.code", equalTo("invalid_api_key"))
                        .body("error.param", nullValue())
                        .body("error.message", not(containsString("sk-")));
            }
        }
        // refused on its headers: the body is never read
        given().contentType("application/json").body("{\"prompt\":\"Once\",\"max_tokens\":2}")
                .post("/v1/completions").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void healthIsAlwaysOpen() {
        for (String path : new String[] {"/q/health", "/q/health/ready", "/q/health/live"}) {
            get(path, null).then().statusCode(200);
        }
    }

    @Test
    void everyConfiguredKeyIsAccepted() {
        for (String key : new String[] {ALICE, BARE, FROM_FILE, LIMITED}) {
            get("/v1/models", key).then().statusCode(200).body("object", equalTo("list"));
        }
        get("/q/metrics", ALICE).then().statusCode(200);
        get("/v1/pipelines", ALICE).then().statusCode(200);
        complete(ALICE, "{\"prompt\":\"Once\",\"max_tokens\":2}").then().statusCode(200);
    }

    @Test
    void aKeyOverItsConcurrentRequestsGets429() throws IOException {
        try (Socket held = RawHttp.connect(30_000)) {
            String body = "{\"prompt\":\"Once\",\"max_tokens\":1000,\"ignore_eos\":true,\"stream\":true}";
            RawHttp.write(held.getOutputStream(), "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + LIMITED + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            byte[] status = held.getInputStream().readNBytes(12);
            assertEquals("HTTP/1.1 200", new String(status), "the first request streams");
            get("/v1/models", LIMITED).then().statusCode(429).header("Retry-After", "1")
                    .body("error.type", equalTo("requests")).body("error.code", equalTo("rate_limit_exceeded"));
            get("/v1/models", ALICE).then().statusCode(200); // other keys are not limited by it
        }
        // the held request's connection closed: its slot is given back
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/models", LIMITED).statusCode() == 200);
    }

    @Test
    void aKeyOverItsTokensPerMinuteGets429() {
        // 100 tokens per minute: prompt + max_tokens is reserved up front
        complete(METERED, "{\"prompt\":\"Once\",\"max_tokens\":200}").then().statusCode(429)
                .header("Retry-After", nullValue()).body("error.type", equalTo("tokens"))
                .body("error.message", containsString("Request too large"));
        complete(METERED, "{\"prompt\":\"Once\",\"max_tokens\":60,\"ignore_eos\":true}").then().statusCode(200)
                .body("usage.total_tokens", equalTo(62));
        Response r = complete(METERED, "{\"prompt\":\"Once\",\"max_tokens\":60,\"ignore_eos\":true}");
        r.then().statusCode(429).body("error.type", equalTo("tokens")).body("error.code", equalTo("rate_limit_exceeded"));
        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, r.header("Retry-After"));
        // unused reserved tokens come back: a short answer leaves room for another
        complete(METERED, "{\"prompt\":\"Once\",\"max_tokens\":30}").then().statusCode(200);
    }

    @Test
    void usageIsCountedUnderTheKeysNameNeverTheKey() {
        complete(ALICE, "{\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"ignore_eos\":true}").then().statusCode(200);
        String metrics = get("/q/metrics", ALICE).then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("specd_api_key_requests_total{key=\"alice\"}"), metrics);
        assertTrue(metrics.contains("specd_api_key_prompt_tokens_total{key=\"alice\"}"), metrics);
        assertTrue(metrics.contains("specd_api_key_completion_tokens_total{key=\"alice\"}"), metrics);
        assertTrue(metrics.contains("specd_api_key_unauthorized_total"), metrics);
        assertFalse(metrics.contains("sk-test"), "a key in the metrics");
    }

    @Test
    void theKeysFileIsReloadedWhenItChanges() {
        get("/v1/models", FROM_FILE).then().statusCode(200);
        write("# rotated\nnewkey:sk-test-new-0006\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/models", "sk-test-new-0006").statusCode() == 200);
        get("/v1/models", FROM_FILE).then().statusCode(401);
        get("/v1/models", ALICE).then().statusCode(200); // the configured keys stay
        write("broken line:\n"); // refused: the keys in force stay
        get("/v1/models", "sk-test-new-0006").then().statusCode(200);
        write("filekey:" + FROM_FILE + "\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/models", FROM_FILE).statusCode() == 200);
    }

    @Test
    void theOpenAiClientSendsItsKey() {
        OpenAIClient client = client(ALICE);
        try {
            Completion c = client.completions().create(CompletionCreateParams.builder()
                    .model(CompletionCreateParams.Model.of("stories")).prompt("Once upon a time").maxTokens(4L).build());
            assertEquals(4, c.usage().orElseThrow().completionTokens());
        } finally {
            client.close();
        }
        OpenAIClient wrong = client("sk-wrong");
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> wrong.models().list());
            assertEquals(401, e.statusCode());
            assertEquals("invalid_api_key", e.code().orElseThrow());
            assertEquals("invalid_request_error", e.type().orElseThrow());
        } finally {
            wrong.close();
        }
    }

    OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }
}
