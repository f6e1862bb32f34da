package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A body must arrive within {@code specd.http.body-timeout} and never pause longer than
 * {@code specd.http.body-idle-timeout}: a client that stalls, or sends one byte now and then,
 * gets a 408 and its connection closed instead of holding it forever. (Here 3 s and 1 s.)
 */
@QuarkusTest
@TestProfile(SlowBodiesTest.ShortTimeouts.class)
class SlowBodiesTest {

    public static final class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("specd.http.body-timeout", "3s", "specd.http.body-idle-timeout", "1s",
                    "specd.pipelines.embedded", "stories");
        }
    }

    static final String BODY = "{\"prompt\":\"Once upon a time\",\"max_tokens\":2}";

    @Test
    void aBodyThatStopsIsTimedOut() throws IOException {
        try (Socket socket = RawHttp.connect(10_000)) {
            RawHttp.write(socket.getOutputStream(), RawHttp.postHead("/v1/completions", BODY.length())
                    + BODY.substring(0, 5));
            checkTimedOut(RawHttp.readAll(socket), "paused for more than 1 s");
        }
    }

    @Test
    void aBodyThatDripsIsTimedOutAtTheDeadline() throws Exception {
        try (Socket socket = RawHttp.connect(10_000)) {
            OutputStream out = socket.getOutputStream();
            RawHttp.write(out, RawHttp.postHead("/v1/completions", BODY.length()));
            long start = System.nanoTime();
            // One byte every 300 ms never pauses a second, yet would take 13 s: the 3 s deadline ends it.
            try {
                for (int i = 0; i < BODY.length() - 1 && System.nanoTime() - start < 8_000_000_000L; i++) {
                    RawHttp.write(out, BODY.substring(i, i + 1));
                    Thread.sleep(300);
                }
            } catch (IOException closed) {
                // the server answered and closed while we were still sending: read its answer
            }
            checkTimedOut(RawHttp.readAll(socket), "did not arrive within 3 s");
        }
    }

    @Test
    void aBodyThatArrivesInTimeIsServed() throws Exception {
        try (Socket socket = RawHttp.connect(10_000)) {
            OutputStream out = socket.getOutputStream();
            RawHttp.write(out, RawHttp.postHead("/v1/completions", BODY.length()) + BODY.substring(0, 10));
            Thread.sleep(500);
            RawHttp.write(out, BODY.substring(10));
            String response = RawHttp.readResponse(socket);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
    }

    @Test
    void aRequestThatTakesLongerThanTheTimeoutsOnceItsBodyIsInIsServed() throws Exception {
        // four choices of 1,000 tokens stream for longer than the 1 s idle and 3 s body timeouts here
        String body = "{\"prompt\":\"Once\",\"max_tokens\":1000,\"ignore_eos\":true,\"n\":4,\"stream\":true}";
        try (Socket socket = RawHttp.connect(60_000)) {
            RawHttp.write(socket.getOutputStream(), RawHttp.postHead("/v1/completions", body.length())
                    .replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n") + body);
            String response = RawHttp.readAll(socket);
            assertTrue(response.startsWith("HTTP/1.1 200"), response.substring(0, Math.min(300, response.length())));
            assertTrue(response.contains("data: [DONE]"), response.substring(Math.max(0, response.length() - 300)));
            assertEquals(4, response.split("\"finish_reason\":\"length\"").length - 1, "four choices ran to the end");
        }
    }

    private static void checkTimedOut(String response, String why) {
        assertTrue(response.startsWith("HTTP/1.1 408"), response);
        JsonPath error = JsonPath.from(RawHttp.body(response));
        assertEquals("body_timeout", error.getString("error.code"));
        assertEquals("invalid_request_error", error.getString("error.type"));
        assertTrue(error.getString("error.message").contains(why), error.getString("error.message"));
    }
}
