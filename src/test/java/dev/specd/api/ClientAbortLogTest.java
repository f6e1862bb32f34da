package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that resets its connection — while sending its body, while its answer is generated,
 * or in the middle of a stream — is an expected condition: nothing at WARN or above is logged
 * (it used to be an ERROR with a full stack trace per abort).
 */
@QuarkusTest
class ClientAbortLogTest {

    static final String BODY = "{\"prompt\":\"Once upon a time\",\"max_tokens\":900,\"ignore_eos\":true%s}";

    @Test
    void resetConnectionsLogNothingAboveDebug() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue() && !r.getLoggerName().equals("llama.cpp")) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            for (int i = 0; i < 5; i++) {
                String whole = BODY.formatted("");
                abort(RawHttp.postHead("/v1/completions", whole.length()) + whole.substring(0, whole.length() / 2), 0);
                abort(RawHttp.postHead("/v1/completions", whole.length()) + whole, 0);
                String stream = BODY.formatted(",\"stream\":true");
                abort(RawHttp.postHead("/v1/completions", stream.length()) + stream, 200);
            }
            await().atMost(Duration.ofSeconds(60)).until(ClientAbortLogTest::idle);
            assertEquals(List.of(), logged.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
        } finally {
            root.removeHandler(capture);
        }
    }

    /** Sends {@code request}, reads {@code bytes} of the answer, then resets the connection. */
    private static void abort(String request, int bytes) throws IOException {
        try (Socket s = RawHttp.connect(30_000)) {
            RawHttp.write(s.getOutputStream(), request);
            s.getInputStream().readNBytes(bytes);
            s.setSoLinger(true, 0);
        }
    }

    private static boolean idle() {
        String metrics = RestAssured.get("/q/metrics").then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith("specd_num_requests_running{")
                || l.startsWith("specd_num_requests_waiting{")).allMatch(l -> l.endsWith(" 0.0"));
    }
}
