package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * More requests in flight than Quarkus' worker pool has threads (200 here) all reach the engines:
 * the four pipelines take 4 × (4 sequences + 64 queued) = 272 long streams, the next 50 get 429
 * from the admission queue at once, and readiness answers meanwhile. (With requests on the worker
 * pool, 200 would have been taken and the other 122 left waiting unseen for a thread.) The 1,000
 * tokens each running stream asks for keep every slot taken while the 322 arrive (here the first
 * ends 13 s after the start, the 429s are all in after 2.6 s).
 */
@QuarkusTest
class AdmissionBeyondThreadsTest {

    static final List<String> PIPELINES = SpeculationReports.PIPELINES;
    static final int ADMITTED = PIPELINES.size() * (ConcurrencyTest.SEQUENCES + ConcurrencyTest.QUEUE_CAPACITY);
    static final int EXTRA = 50;

    @Test
    void theAdmissionQueueNotAThreadPoolDecidesWhoGets429() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        ConcurrentHashMap<String, Integer> statuses = new ConcurrentHashMap<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int i = 0; i < ADMITTED + EXTRA; i++) {
                    Socket s = RawHttp.connect(120_000);
                    sockets.add(s);
                    String body = "{\"model\":\"" + PIPELINES.get(i % PIPELINES.size()) + "\",\"prompt\":\"Once\","
                            + "\"max_tokens\":1000,\"ignore_eos\":true,\"stream\":true}";
                    RawHttp.write(s.getOutputStream(), RawHttp.postHead("/v1/completions", body.length()) + body);
                    readers.submit(() -> {
                        String status = statusLine(s);
                        statuses.merge(status, 1, Integer::sum);
                        if (status.startsWith("HTTP/1.1 429")) refused.incrementAndGet();
                        return null;
                    });
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() >= EXTRA);
                await().atMost(Duration.ofSeconds(60)).until(() -> inEngines() == ADMITTED);
                assertEquals(EXTRA, refused.get(), statuses.toString());
                get("/q/health/ready").then().statusCode(200);
            } finally {
                for (Socket s : sockets) s.close(); // cancels every generation
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> inEngines() == 0);
            readers.shutdownNow();
        }
    }

    /** The first line of the answer, or what ended the wait for it. */
    private static String statusLine(Socket s) {
        try {
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0 && c != '\r'; ) line.append((char) c);
            return line.toString();
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** Requests running or queued in all pipelines, from the scheduler's gauges. */
    private static int inEngines() {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("specd_num_requests_running{") || line.startsWith("specd_num_requests_waiting{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (int) sum;
    }
}
