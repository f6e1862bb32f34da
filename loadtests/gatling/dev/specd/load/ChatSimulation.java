package dev.specd.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Chat completions against a specd server, streaming and not, on each model (pipeline), in a closed
 * workload (a fixed number of clients, each sending its next request when its last one ended) or an
 * open one (requests arriving at a fixed rate). Every request asks for exactly {@code maxTokens}
 * tokens ({@code ignore_eos}), so streams are comparable. Gatling's report names, per model:
 * {@code first token} (time to the first content chunk: TTFT), {@code tokens 2..N} (the rest of the
 * stream) and {@code chat} (a whole non-streamed answer); the console and
 * {@code target/gatling/specd-streams.csv} add TTFT and TPOT percentiles per stream. Any failed
 * request fails the run. Settings: {@link LoadSettings}; how to run: loadtests/README.md.
 */
public class ChatSimulation extends Simulation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final StreamTimings timings = new StreamTimings();

    public ChatSimulation() {
        HttpProtocolBuilder protocol = http.baseUrl(settings.baseUrl().toString()).disableCaching();
        List<PopulationBuilder> populations = new ArrayList<>();
        for (int i = 0; i < settings.models().size(); i++) {
            String model = settings.models().get(i);
            if (settings.workload().equals("closed")) {
                int streams = settings.share(settings.streams(), i);
                int wholes = settings.share(settings.wholes(), i);
                if (streams > 0) populations.add(streaming(model).injectClosed(
                        constantConcurrentUsers(streams).during(settings.duration())));
                if (wholes > 0) populations.add(whole(model).injectClosed(
                        constantConcurrentUsers(wholes).during(settings.duration())));
            } else {
                double perModel = settings.rate() / settings.models().size();
                if (settings.streamShare() > 0) populations.add(streaming(model).injectOpen(
                        constantUsersPerSec(perModel * settings.streamShare()).during(settings.duration())));
                if (settings.streamShare() < 1) populations.add(whole(model).injectOpen(
                        constantUsersPerSec(perModel * (1 - settings.streamShare())).during(settings.duration())));
            }
        }
        if (populations.isEmpty()) throw new IllegalArgumentException("no clients: streams and wholes are both 0");
        setUp(populations).protocols(protocol)
                .maxDuration(settings.duration().plus(settings.timeout()))
                .assertions(global().failedRequests().count().is(0L), global().successfulRequests().count().gt(0L));
    }

    /** One streamed chat: connect, wait for the first content chunk, then for [DONE]. */
    private ScenarioBuilder streaming(String model) {
        int tokens = settings.maxTokens();
        long timeout = settings.timeout().toSeconds();
        return scenario(model + " stream")
                .exec(session -> session.set("start", System.nanoTime()))
                .exec(sse(model + ": stream").post("/v1/chat/completions").header("Content-Type", "application/json")
                        .body(StringBody(body(model, true)))
                        .await(timeout).on(sse.checkMessage(model + ": first token")
                                // the first chunk names the role and carries no text yet
                                .matching(substring("content"), substring("\\\"role\\\":").notExists())))
                .exitHereIfFailed()
                .exec(session -> session.set("first", System.nanoTime()))
                .exec(sse(model + ": rest").setCheck().await(timeout)
                        .on(sse.checkMessage(model + ": tokens 2.." + tokens).matching(substring("[DONE]"))))
                .exitHereIfFailed()
                .exec(session -> {
                    timings.record(model, session.getLong("start"), session.getLong("first"), System.nanoTime(), tokens);
                    return session;
                })
                .exec(sse(model + ": close").close());
    }

    /** One non-streamed chat, its token count checked. */
    private ScenarioBuilder whole(String model) {
        return scenario(model + " whole")
                .exec(http(model + ": chat").post("/v1/chat/completions").body(StringBody(body(model, false))).asJson()
                        .check(status().is(200), jsonPath("$.usage.completion_tokens").ofInt().is(settings.maxTokens())));
    }

    private String body(String model, boolean stream) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "Once upon a time")));
        body.put("max_tokens", settings.maxTokens());
        body.put("ignore_eos", true);
        body.put("stream", stream);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void after() {
        System.out.println("\nPer stream, as the client saw it (" + settings.workload() + " workload, "
                + settings.maxTokens() + " tokens per request):");
        System.out.println(timings.report(Path.of("target", "gatling", "specd-streams.csv")));
    }
}
