package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A body over {@code quarkus.http.limits.max-body-size} (4M) is a 413 in OpenAI's error shape,
 * whether it announces its length or comes chunked. Raw sockets, because an HTTP client that is
 * still sending when the server answers and closes reports a broken pipe instead of the answer.
 */
@QuarkusTest
class BodyLimitTest {

    static final int LIMIT = 4 * 1024 * 1024;

    @Test
    void aBodyAnnouncedTooLargeIsRefusedOnItsHeaders() throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            write(socket.getOutputStream(), "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + 5_000_000 + "\r\n\r\n{\"prompt\":\"");
            checkTooLarge(readResponse(socket.getInputStream()));
        }
    }

    @Test
    void aChunkedBodyIsRefusedOnceItPassesTheLimit() throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            write(out, "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            chunk(out, "{\"prompt\":\"".getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) 'a');
            // just past the limit, so that the server has read all we sent when it answers
            for (int sent = 0; sent < LIMIT; sent += block.length) chunk(out, block);
            checkTooLarge(readResponse(socket.getInputStream()));
        }
    }

    @Test
    void bodiesWithinTheLimitAreServedEitherWay() throws IOException {
        String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":2,\"user\":\"" + "u".repeat(100_000) + "\"}";
        OpenAiSurfaceTest.ok("/v1/completions", body);
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            write(out, "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            chunk(out, body.getBytes(StandardCharsets.US_ASCII));
            write(out, "0\r\n\r\n");
            String response = readResponse(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("\"text_completion\""), response);
        }
    }

    static void checkTooLarge(String response) {
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.toLowerCase().contains("content-type: application/json"), response);
        JsonPath error = JsonPath.from(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertEquals("Request body too large", error.getString("error.message"));
        assertEquals("invalid_request_error", error.getString("error.type"));
        // and the server still serves
        OpenAiSurfaceTest.ok("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static void chunk(OutputStream out, byte[] data) throws IOException {
        write(out, Integer.toHexString(data.length) + "\r\n");
        out.write(data);
        write(out, "\r\n");
    }

    /** Everything until the server closes the connection. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        in.transferTo(response);
        return response.toString(StandardCharsets.UTF_8);
    }
}
