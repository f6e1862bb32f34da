package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * More requests in flight than Quarkus' worker pool has threads (200 on machines up to 25 cores)
 * all reach the engine: with 4 sequences and 250 queue places, 304 long streams put more than
 * 200 requests in the engine at once, every one of the 304 is either in the engine or refused
 * with 429 by the admission queue, and readiness answers meanwhile. (With requests on the worker
 * pool, at most 200 could be in the engine, each holding a thread, and the rest waited unseen.)
 * Its own server: the long streams would disturb other tests.
 */
@QuarkusTest
@TestProfile(AdmissionBeyondThreadsTest.LongQueue.class)
class AdmissionBeyondThreadsTest {

    static final int QUEUE = 250;
    static final int ADMITTED = 4 + QUEUE;
    static final int TOTAL = ADMITTED + 50;
    static final int WORKER_POOL = 200;

    public static final class LongQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("specd.pipelines.embedded", "stories", "specd.scheduler.queue-capacity", String.valueOf(QUEUE));
        }
    }

    @Test
    void theAdmissionQueueNotAThreadPoolDecidesWhoGets429() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger mostInEngine = new AtomicInteger();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                String body = "{\"prompt\":\"Once\",\"max_tokens\":1000,\"ignore_eos\":true,\"stream\":true}";
                for (int i = 0; i < TOTAL; i++) {
                    Socket s = RawHttp.connect(120_000);
                    sockets.add(s);
                    RawHttp.write(s.getOutputStream(), RawHttp.postHead("/v1/completions", body.length()) + body);
                    readers.submit(() -> {
                        if (statusLine(s).startsWith("HTTP/1.1 429")) refused.incrementAndGet();
                    });
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    Engine e = engine();
                    mostInEngine.accumulateAndGet(e.running() + e.waiting(), Math::max);
                    return e.entered() + refused.get() == TOTAL;
                });
                get("/q/health/ready").then().statusCode(200);
                assertTrue(mostInEngine.get() > WORKER_POOL, "at most " + mostInEngine + " requests in the engine");
                assertTrue(refused.get() > 0, "none refused");
            } finally {
                for (Socket s : sockets) s.close(); // cancels every generation
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> engine().running() + engine().waiting() == 0);
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

    /** The scheduler's gauges and counters: requests running, waiting, and ended after running. */
    record Engine(int running, int waiting, int ended) {
        int entered() {
            return running + waiting + ended;
        }
    }

    private static Engine engine() {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        return new Engine(sum(metrics, "specd_num_requests_running{"), sum(metrics, "specd_num_requests_waiting{"),
                sum(metrics, "specd_requests_total{"));
    }

    private static int sum(String metrics, String prefix) {
        return (int) metrics.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
