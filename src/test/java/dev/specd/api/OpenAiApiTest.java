package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Target-only generation end to end on the embedded default pipeline (a target forged from stories260K). */
@QuarkusTest
class OpenAiApiTest {

    static Response post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path);
    }

    static String completionText(String body) {
        return post("/v1/completions", body).then().statusCode(200).extract().path("choices[0].text");
    }

    @Test
    void modelsListsThePipelinesDefaultFirst() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data[0].id", equalTo("stories"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("specd"));
        given().get("/v1/models/stories").then().statusCode(200).body("id", equalTo("stories"));
        given().get("/v1/models/nope").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
    }

    @Test
    void readyOnceThePipelinesAreLoaded() {
        String engine = given().get("/v1/pipelines/stories").path("engine");
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'pipelines' }.data.'" + engine + "'", containsString("running"));
    }

    @Test
    void greedyCompletionIsRepeatableWithUsageAndLengthFinish() {
        String body = """
                {"model":"stories","prompt":"Once upon a time","max_tokens":24,"temperature":0}""";
        Response r = post("/v1/completions", body);
        r.then().statusCode(200)
                .body("object", equalTo("text_completion"))
                .body("id", startsWith("cmpl-"))
                .body("model", equalTo("stories"))
                .body("created", greaterThan(0))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("choices[0].logprobs", nullValue())
                .body("usage.prompt_tokens", equalTo(5))
                .body("usage.completion_tokens", equalTo(24))
                .body("usage.total_tokens", equalTo(29));
        String text = r.path("choices[0].text");
        assertTrue(text.length() > 20, text);
        assertEquals(text, completionText(body));
    }

    @Test
    void sameSeedSameTextAtTemperatureOne() {
        String body = """
                {"prompt":"The little dog","max_tokens":30,"temperature":1.0,"seed":1234}""";
        assertEquals(completionText(body), completionText(body));
        String other = completionText(body.replace("1234", "99"));
        String again = completionText(body.replace("1234", "98"));
        assertFalse(other.equals(again) && other.equals(completionText(body)), "three seeds gave the same text");
    }

    @Test
    void stopStringEndsTheCompletionAndIsNotReturned() {
        Response r = post("/v1/completions", """
                {"prompt":"Once upon a time","max_tokens":120,"temperature":0,"stop":["."]}""");
        r.then().statusCode(200).body("choices[0].finish_reason", equalTo("stop"))
                .body("choices[0].text", not(containsString(".")));
        int completion = r.path("usage.completion_tokens");
        assertTrue(completion < 120, "stopped at the first full stop");
    }

    @Test
    void chatCompletion() {
        post("/v1/chat/completions", """
                {"model":"stories","messages":[{"role":"system","content":"You tell stories."},
                 {"role":"user","content":[{"type":"text","text":"Once upon a time"}]}],
                 "max_tokens":16,"temperature":0}""")
                .then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("id", startsWith("chatcmpl-"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", notNullValue())
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(16));
    }

    @Test
    void streamedChatEqualsTheNonStreamedAnswer() {
        String request = """
                {"messages":[{"role":"user","content":"Lily went to the park"}],"max_tokens":20,"temperature":0%s}""";
        String whole = post("/v1/chat/completions", request.formatted("")).then().statusCode(200)
                .extract().path("choices[0].message.content");
        Response r = post("/v1/chat/completions", request.formatted(",\"stream\":true"));
        r.then().statusCode(200).contentType(containsString("text/event-stream"));
        List<String> events = sseData(r.asString());
        assertEquals("[DONE]", events.getLast());
        var json = events.subList(0, events.size() - 1).stream().map(io.restassured.path.json.JsonPath::from).toList();
        assertEquals("assistant", json.getFirst().getString("choices[0].delta.role"));
        assertEquals("chat.completion.chunk", json.getFirst().getString("object"));
        assertEquals("length", json.getLast().getString("choices[0].finish_reason"));
        String streamed = json.stream().map(j -> j.getString("choices[0].delta.content"))
                .filter(s -> s != null).collect(Collectors.joining());
        assertEquals(whole, streamed);
    }

    @Test
    void streamedCompletionEqualsTheNonStreamedOne() {
        String request = """
                {"prompt":"Once upon a time","max_tokens":20,"temperature":0%s}""";
        String whole = completionText(request.formatted(""));
        List<String> events = sseData(post("/v1/completions", request.formatted(",\"stream\":true")).asString());
        assertEquals("[DONE]", events.getLast());
        String streamed = events.subList(0, events.size() - 1).stream()
                .map(e -> io.restassured.path.json.JsonPath.from(e).getString("choices[0].text"))
                .collect(Collectors.joining());
        assertEquals(whole, streamed);
    }

    @Test
    void clientsThatAcceptOnlyEventStreamsGetOne() {
        Response r = given().contentType(ContentType.JSON).accept("text/event-stream")
                .body("""
                        {"prompt":"Once upon a time","max_tokens":4,"stream":true}""").post("/v1/completions");
        r.then().statusCode(200).contentType(containsString("text/event-stream"));
        assertEquals("[DONE]", sseData(r.asString()).getLast());
    }

    @Test
    void aClientThatDisconnectsFreesItsSequence() throws Exception {
        for (boolean stream : new boolean[] {true, false}) {
            String body = """
                    {"prompt":"Once upon a time","max_tokens":1000,"temperature":0,"ignore_eos":true,"stream":%s}"""
                    .formatted(stream);
            try (java.net.Socket socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
                socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                awaitRunning("1 running", 5_000);
                if (stream) assertTrue(socket.getInputStream().read() >= 0, "the stream started");
            }
            // 1000 tokens take over a second here: freed within 0.5 s means cancelled, not finished.
            awaitRunning("0 running", 500);
        }
    }

    static void awaitRunning(String expected, long millis) throws InterruptedException {
        awaitPipeline("stories", state -> state.startsWith(expected), expected, millis);
    }

    /**
     * Waits until the readiness check reports the state ("n running, m waiting") of the engine
     * serving {@code pipeline} as {@code ok}.
     */
    static void awaitPipeline(String pipeline, Predicate<String> ok, String expected, long millis) {
        String engine = given().get("/v1/pipelines/" + pipeline).path("engine");
        org.awaitility.Awaitility.await().alias("engine " + engine + " of " + pipeline + " is '" + expected + "'")
                .atMost(java.time.Duration.ofMillis(millis)).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready")
                        .<String>path("checks.find { it.name == 'pipelines' }.data.'" + engine + "'"),
                        state -> state != null && ok.test(state));
    }

    @Test
    void badInputGetsOpenAiErrors() {
        post("/v1/completions", "{not json").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", notNullValue());
        post("/v1/completions", """
                {"prompt":"hi","temperature":5}""").then().statusCode(400).body("error.param", equalTo("temperature"));
        post("/v1/completions", """
                {"prompt":"hi","max_tokens":100000}""").then().statusCode(400).body("error.param", equalTo("max_tokens"));
        post("/v1/completions", """
                {"prompt":"hi","max_tokens":"many"}""").then().statusCode(400).body("error.param", equalTo("max_tokens"));
        post("/v1/completions", """
                {"prompt":"hi","max_tokens":"5"}""").then().statusCode(400).body("error.param", equalTo("max_tokens"));
        post("/v1/completions", """
                {"prompt":"hi","max_tokens":2.5}""").then().statusCode(400).body("error.param", equalTo("max_tokens"));
        post("/v1/completions", """
                {"prompt":"hi","stream":"yes"}""").then().statusCode(400).body("error.param", equalTo("stream"));
        post("/v1/completions", """
                {"model":"stories","prompt":"hi","speculation":{"k":1.5}}""").then().statusCode(400)
                .body("error.param", equalTo("speculation.k"));
        post("/v1/completions", """
                {"model":"stories","prompt":"hi","speculation":{"mode":"off","k":99}}""").then().statusCode(400)
                .body("error.param", equalTo("speculation.k"));
        post("/v1/completions", """
                {"model":"gpt-17","prompt":"hi"}""").then().statusCode(404).body("error.code", equalTo("model_not_found"));
        post("/v1/chat/completions", """
                {"messages":[]}""").then().statusCode(400).body("error.param", equalTo("messages"));
        post("/v1/chat/completions", """
                {"messages":[{"role":"wizard","content":"hi"}]}""").then().statusCode(400)
                .body("error.param", equalTo("messages[0].role"));
        post("/v1/completions", """
                {"prompt":"hi","stop":[1,2]}""").then().statusCode(400).body("error.param", equalTo("stop"));
        // and the server still serves
        assertFalse(completionText("""
                {"prompt":"Once","max_tokens":3,"temperature":0}""").isEmpty());
    }

    static List<String> sseData(String body) {
        return Arrays.stream(body.split("\n")).filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }
}
