package dev.specd.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that send headers and half a body hold no thread: bodies are read on the event loop
 * before a worker is taken, so 500 stalled uploads leave readiness, metrics, the model list and
 * generation answering. Timeouts of such bodies: {@link SlowBodiesTest}.
 */
@QuarkusTest
class StalledUploadsTest {

    static final int STALLED = 500;
    static final String BODY = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"max_tokens\":2}";

    @TestHTTPResource("/")
    URI root;

    @Test
    void stalledUploadsLeaveTheServerAnswering() throws Exception {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        List<Socket> stalled = new ArrayList<>(STALLED);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < STALLED; i++) {
                Socket socket = RawHttp.connect(30_000);
                stalled.add(socket);
                RawHttp.write(socket.getOutputStream(), RawHttp.postHead("/v1/completions", body.length)
                        + BODY.substring(0, BODY.length() / 2));
            }
            // Each would time out (and fail the test) if it waited for a thread held by an upload.
            for (String path : List.of("q/health/ready", "q/metrics", "v1/models")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(root.resolve(path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
            }
            HttpResponse<String> generated = http.send(HttpRequest.newBuilder(root.resolve("v1/completions"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, generated.statusCode(), generated.body());
            // A stalled upload that resumes is served: its first half was kept, not dropped.
            Socket resumed = stalled.getFirst();
            RawHttp.write(resumed.getOutputStream(), BODY.substring(BODY.length() / 2));
            String response = RawHttp.readResponse(resumed);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertEquals("text_completion", JsonPath.from(RawHttp.body(response)).getString("object"));
        } finally {
            for (Socket s : stalled) closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing a test connection: nothing left to check
        }
    }
}
