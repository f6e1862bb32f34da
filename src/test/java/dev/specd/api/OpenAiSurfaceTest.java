package dev.specd.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.specd.api.SpeculationReports.checkConsistent;
import static dev.specd.api.SpeculationReports.i;
import static dev.specd.api.SpeculationReports.post;
import static dev.specd.api.SpeculationReports.streamedChunks;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI request surface beyond one plain choice: {@code n}, {@code stream_options},
 * {@code logprobs} / {@code top_logprobs}, {@code user}. Body limits: {@link BodyLimitTest}.
 */
@QuarkusTest
class OpenAiSurfaceTest {

    static JsonPath ok(String path, String body) {
        return post(path, body).then().statusCode(200).extract().jsonPath();
    }

    static void badRequest(String path, String body, String param) {
        post(path, body).then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
    }

    // ---- n ----

    static final String SEEDED_CHAT = """
            {"model":"stories","messages":[{"role":"user","content":"Once upon a time"}],
             "max_tokens":24,"temperature":1.0,"seed":42,"ignore_eos":true%s}""";

    @Test
    void nSeededChoicesAreNumberedSummedAndDiffer() {
        JsonPath three = ok("/v1/chat/completions", SEEDED_CHAT.formatted(",\"n\":3"));
        assertEquals(List.of(0, 1, 2), three.getList("choices.index"));
        List<String> texts = three.getList("choices.message.content");
        assertTrue(new HashSet<>(texts).size() >= 2, "three seeds, one text: " + texts);
        for (int c = 0; c < 3; c++) assertEquals("length", three.getString("choices[" + c + "].finish_reason"));
        JsonPath one = ok("/v1/chat/completions", SEEDED_CHAT.formatted(""));
        // choice 0 samples with the request's seed: it is the n = 1 answer
        assertEquals(one.getString("choices[0].message.content"), texts.getFirst());
        assertEquals(one.getInt("usage.prompt_tokens"), three.getInt("usage.prompt_tokens"), "the prompt counts once");
        assertEquals(3 * 24, three.getInt("usage.completion_tokens"));
        assertEquals(three.getInt("usage.prompt_tokens") + 72, three.getInt("usage.total_tokens"));
        Map<String, Object> s = three.getMap("speculation");
        checkConsistent(s, 72); // sums of the three choices' reports
        assertEquals("lossless", s.get("mode"));
        assertTrue(i(s, "rounds") > i(one.getMap("speculation"), "rounds"), s.toString());
    }

    @Test
    void greedyChoicesAreEqual() {
        JsonPath two = ok("/v1/completions", """
                {"prompt":"Once upon a time","max_tokens":16,"temperature":0,"n":2}""");
        assertEquals(List.of(0, 1), two.getList("choices.index"));
        assertEquals(two.getString("choices[0].text"), two.getString("choices[1].text"));
        assertFalse(two.getString("choices[0].text").isEmpty());
    }

    @Test
    void streamedChoicesInterleaveAndEqualTheWholeAnswer() {
        JsonPath whole = ok("/v1/chat/completions", SEEDED_CHAT.formatted(",\"n\":3"));
        List<JsonPath> chunks = streamedChunks("/v1/chat/completions", SEEDED_CHAT.formatted(",\"n\":3,\"stream\":true"));
        Map<Integer, StringBuilder> texts = new HashMap<>();
        Map<Integer, Integer> openings = new HashMap<>();
        Map<Integer, JsonPath> closings = new HashMap<>();
        for (JsonPath c : chunks) {
            assertEquals(1, c.getList("choices").size(), c.prettify());
            int index = c.getInt("choices[0].index");
            assertTrue(index >= 0 && index < 3, c.prettify());
            assertNull(closings.get(index), "choice " + index + " sent a chunk after its closing one");
            if ("assistant".equals(c.getString("choices[0].delta.role"))) openings.merge(index, 1, Integer::sum);
            String content = c.getString("choices[0].delta.content");
            if (content != null) texts.computeIfAbsent(index, k -> new StringBuilder()).append(content);
            if (c.getString("choices[0].finish_reason") != null) {
                closings.put(index, c);
                assertNotNull(c.getMap("speculation"), "each closing chunk reports its choice: " + c.prettify());
            } else {
                assertFalse(c.getMap("$").containsKey("speculation"), c.prettify());
            }
            assertFalse(c.getMap("$").containsKey("usage"), "no include_usage, no usage key: " + c.prettify());
        }
        assertEquals(Map.of(0, 1, 1, 1, 2, 1), openings);
        assertEquals(3, closings.size());
        int drafted = 0, accepted = 0, rounds = 0;
        for (int c = 0; c < 3; c++) {
            assertEquals(whole.getString("choices[" + c + "].message.content"), texts.get(c).toString(), "choice " + c);
            assertEquals("length", closings.get(c).getString("choices[0].finish_reason"));
            Map<String, Object> s = closings.get(c).getMap("speculation");
            checkConsistent(s, 24);
            drafted += i(s, "drafted");
            accepted += i(s, "accepted");
            rounds += i(s, "rounds");
        }
        Map<String, Object> total = whole.getMap("speculation");
        assertEquals(List.of(drafted, accepted, rounds), List.of(i(total, "drafted"), i(total, "accepted"), i(total, "rounds")),
                "the whole answer's report sums its choices'");
    }

    @Test
    void nOutOfRangeIsRefused() {
        for (int n : new int[] {0, 9, -1}) {
            badRequest("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2,\"n\":" + n + "}", "n");
            badRequest("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":" + n + "}", "n");
        }
        // more choices than the pipeline has sequences: the rest wait their turn
        JsonPath eight = ok("/v1/completions", """
                {"prompt":"Once","max_tokens":2,"n":8,"temperature":0}""");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), eight.getList("choices.index"));
    }

    @Test
    void aClientThatDisconnectsCancelsEveryChoice() throws Exception {
        String body = """
                {"prompt":"Once upon a time","max_tokens":1000,"temperature":0,"ignore_eos":true,"n":3}""";
        try (java.net.Socket socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            OpenAiApiTest.awaitRunning("3 running", 5_000);
        }
        OpenAiApiTest.awaitRunning("0 running", 500);
    }

    // ---- stream_options ----

    @Test
    void includeUsageAddsAUsageChunkBeforeDone() {
        String request = """
                {"prompt":"Once upon a time","max_tokens":12,"temperature":0,"n":2%s}""";
        JsonPath whole = ok("/v1/completions", request.formatted(""));
        List<JsonPath> chunks = streamedChunks("/v1/completions",
                request.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        JsonPath last = chunks.getLast();
        assertEquals(List.of(), last.getList("choices"));
        assertEquals(whole.getMap("usage"), last.getMap("usage"));
        for (JsonPath c : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(c.getMap("$").containsKey("usage"), "usage: null in every other chunk: " + c.prettify());
            assertNull(c.get("usage"), c.prettify());
            assertEquals(1, c.getList("choices").size(), c.prettify());
        }
        // include_usage false: no usage chunk, no usage keys
        List<JsonPath> plain = streamedChunks("/v1/completions",
                request.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":false}"));
        for (JsonPath c : plain) assertFalse(c.getMap("$").containsKey("usage"), c.prettify());
    }

    @Test
    void streamOptionsWithoutStreamIsRefused() {
        badRequest("/v1/completions", """
                {"prompt":"hi","stream_options":{"include_usage":true}}""", "stream_options");
        badRequest("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"stream":false,"stream_options":{"include_usage":true}}""",
                "stream_options");
        badRequest("/v1/completions", """
                {"prompt":"hi","stream":true,"stream_options":{"include_usage":"yes"}}""", "stream_options.include_usage");
    }

    // ---- user ----

    @Test
    void userIsAcceptedAsAStringOnly() {
        ok("/v1/completions", """
                {"prompt":"Once","max_tokens":2,"user":"user-1234"}""");
        badRequest("/v1/completions", """
                {"prompt":"Once","max_tokens":2,"user":5}""", "user");
        badRequest("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"user":{"id":1}}""", "user");
    }

    // ---- logprobs ----

    static final String CHAT_LOGPROBS = """
            {"model":"%s","messages":[{"role":"user","content":"Lily went to the park"}],"max_tokens":24,
             "temperature":0,"ignore_eos":true,"logprobs":true,"top_logprobs":3%s}""";

    @Test
    void chatLogprobsCoverEveryTokenWithSortedAlternatives() {
        JsonPath answer = ok("/v1/chat/completions", CHAT_LOGPROBS.formatted("stories", ""));
        List<Map<String, Object>> content = answer.getList("choices[0].logprobs.content");
        assertEquals(24, content.size());
        StringBuilder joined = new StringBuilder();
        for (Map<String, Object> entry : content) {
            String token = (String) entry.get("token");
            double logprob = ((Number) entry.get("logprob")).doubleValue();
            joined.append(token);
            assertTrue(logprob <= 0 && Double.isFinite(logprob), entry.toString());
            assertEquals(utf8(token), entry.get("bytes"), entry.toString());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> top = (List<Map<String, Object>>) entry.get("top_logprobs");
            assertEquals(3, top.size(), entry.toString());
            for (int t = 0; t < top.size(); t++) {
                double value = ((Number) top.get(t).get("logprob")).doubleValue();
                assertTrue(value <= 0, entry.toString());
                if (t > 0) assertTrue(value <= ((Number) top.get(t - 1).get("logprob")).doubleValue(), entry.toString());
                assertEquals(utf8((String) top.get(t).get("token")), top.get(t).get("bytes"), entry.toString());
                if (top.get(t).get("token").equals(token)) assertEquals(logprob, value, 0.0, entry.toString());
            }
            // greedy on raw logits: the chosen token is the most likely one
            assertEquals(token, top.getFirst().get("token"), entry.toString());
        }
        assertEquals(answer.getString("choices[0].message.content"), joined.toString());

        // a stream carries the same entries, with the chunks of their text
        List<JsonPath> chunks = streamedChunks("/v1/chat/completions", CHAT_LOGPROBS.formatted("stories", ",\"stream\":true"));
        List<Object> streamed = chunks.stream().filter(c -> c.get("choices[0].logprobs") != null)
                .flatMap(c -> c.getList("choices[0].logprobs.content").stream()).toList();
        assertSameEntries(content, streamed);
        for (JsonPath c : chunks) {
            String delta = c.getString("choices[0].delta.content");
            List<String> tokens = c.getList("choices[0].logprobs.content.token");
            if (delta != null && !delta.isEmpty()) assertEquals(delta, String.join("", tokens), c.prettify());
        }
        // without logprobs the field stays null
        assertNull(ok("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"hi"}],"max_tokens":3}""").get("choices[0].logprobs"));
    }

    @Test
    void chatLogprobsParametersAreChecked() {
        String base = """
                {"messages":[{"role":"user","content":"hi"}],"max_tokens":2%s}""";
        badRequest("/v1/chat/completions", base.formatted(",\"top_logprobs\":2"), "top_logprobs");
        badRequest("/v1/chat/completions", base.formatted(",\"logprobs\":false,\"top_logprobs\":2"), "top_logprobs");
        badRequest("/v1/chat/completions", base.formatted(",\"logprobs\":true,\"top_logprobs\":21"), "top_logprobs");
        badRequest("/v1/chat/completions", base.formatted(",\"logprobs\":true,\"top_logprobs\":-1"), "top_logprobs");
        badRequest("/v1/chat/completions", base.formatted(",\"logprobs\":1"), "logprobs");
        JsonPath noTop = ok("/v1/chat/completions", base.formatted(",\"logprobs\":true"));
        assertEquals(List.of(List.of(), List.of()), noTop.getList("choices[0].logprobs.content.top_logprobs"));
        ok("/v1/chat/completions", base.formatted(",\"logprobs\":true,\"top_logprobs\":20"));
    }

    @Test
    void completionLogprobsHaveTheLegacyShape() {
        JsonPath answer = ok("/v1/completions", """
                {"prompt":"Once upon a time","max_tokens":20,"temperature":0.8,"seed":3,"logprobs":2}""");
        String text = answer.getString("choices[0].text");
        List<String> tokens = answer.getList("choices[0].logprobs.tokens");
        List<Number> values = answer.getList("choices[0].logprobs.token_logprobs");
        List<Map<String, Number>> top = answer.getList("choices[0].logprobs.top_logprobs");
        List<Integer> offsets = answer.getList("choices[0].logprobs.text_offset");
        int n = answer.getInt("usage.completion_tokens");
        assertEquals(n, tokens.size());
        assertEquals(n, values.size());
        assertEquals(n, top.size());
        assertEquals(n, offsets.size());
        assertEquals(text, String.join("", tokens));
        assertEquals(0, offsets.getFirst());
        for (int t = 0; t < n; t++) {
            assertTrue(values.get(t).doubleValue() <= 0, values.toString());
            Map<String, Number> alternatives = top.get(t);
            assertTrue(alternatives.size() >= 2 && alternatives.size() <= 3, alternatives.toString());
            assertEquals(values.get(t).doubleValue(), alternatives.get(tokens.get(t)).doubleValue(), 0.0,
                    "the chosen token is among the top: " + alternatives);
            if (t > 0) {
                assertTrue(offsets.get(t) >= offsets.get(t - 1), offsets.toString());
                assertEquals(offsets.get(t - 1) + tokens.get(t - 1).length(), offsets.get(t), offsets.toString());
            }
        }
        badRequest("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":6}", "logprobs");
        badRequest("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":-1}", "logprobs");
        badRequest("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":true}", "logprobs");
        assertNull(ok("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}").get("choices[0].logprobs"));
    }

    @Test
    void streamedCompletionLogprobsContinueTheirOffsets() {
        String request = """
                {"prompt":"Once upon a time","max_tokens":16,"temperature":0,"logprobs":1%s}""";
        JsonPath whole = ok("/v1/completions", request.formatted(""));
        List<JsonPath> chunks = streamedChunks("/v1/completions", request.formatted(",\"stream\":true"));
        List<Object> tokens = chunks.stream().filter(c -> c.get("choices[0].logprobs") != null)
                .flatMap(c -> c.getList("choices[0].logprobs.tokens").stream()).toList();
        List<Object> offsets = chunks.stream().filter(c -> c.get("choices[0].logprobs") != null)
                .flatMap(c -> c.getList("choices[0].logprobs.text_offset").stream()).toList();
        assertEquals(whole.getList("choices[0].logprobs.tokens"), tokens);
        assertEquals(whole.getList("choices[0].logprobs.text_offset"), offsets);
    }

    /**
     * A verify batch scores several positions in one llama.cpp decode, which sums in another order
     * than the target-only one-token decodes: the same logprobs up to float noise, measured at up to
     * 2.1e-3 on this pipeline (while the same request on the same path repeats them exactly).
     */
    static final double TOLERANCE = 5e-3;

    @Test
    void speculationLeavesTheTargetsLogprobs() {
        String request = """
                {"model":"%s","prompt":"Once upon a time","max_tokens":32,"temperature":0,"logprobs":3,
                 "speculation":{"policy":"static"}}""";
        JsonPath target = ok("/v1/completions", request.formatted("stories-target"));
        JsonPath lossless = ok("/v1/completions", request.formatted("stories"));
        assertTrue(i(lossless.getMap("speculation"), "accepted") > 0, "drafts were accepted");
        assertEquals(target.getString("choices[0].text"), lossless.getString("choices[0].text"));
        List<String> tokens = target.getList("choices[0].logprobs.tokens");
        assertEquals(tokens, lossless.getList("choices[0].logprobs.tokens"));
        List<Number> expected = target.getList("choices[0].logprobs.token_logprobs");
        List<Number> actual = lossless.getList("choices[0].logprobs.token_logprobs");
        List<Map<String, Number>> expectedTop = target.getList("choices[0].logprobs.top_logprobs");
        List<Map<String, Number>> actualTop = lossless.getList("choices[0].logprobs.top_logprobs");
        for (int t = 0; t < tokens.size(); t++) {
            assertEquals(expected.get(t).doubleValue(), actual.get(t).doubleValue(), TOLERANCE, "token " + t);
            assertEquals(expectedTop.get(t).keySet(), actualTop.get(t).keySet(), "token " + t);
            for (var e : expectedTop.get(t).entrySet()) {
                assertEquals(e.getValue().doubleValue(), actualTop.get(t).get(e.getKey()).doubleValue(), TOLERANCE,
                        "token " + t);
            }
        }
    }

    @Test
    void unverifiedCascadeTokensCarryTheDraftModelsLogprobs() {
        JsonPath answer = ok("/v1/chat/completions", """
                {"model":"stories-cascade","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":40,
                 "temperature":0,"ignore_eos":true,"logprobs":true,"top_logprobs":2,"speculation":{"tau":0.0}}""");
        assertTrue(i(answer.getMap("speculation"), "unverified_tokens") > 0, answer.prettify());
        List<Number> values = answer.getList("choices[0].logprobs.content.logprob");
        assertEquals(40, values.size());
        for (Number v : values) assertTrue(Double.isFinite(v.doubleValue()) && v.doubleValue() <= 0, values.toString());
        assertEquals(answer.getString("choices[0].message.content"),
                answer.getList("choices[0].logprobs.content.token").stream().map(String::valueOf).collect(Collectors.joining()));
    }

    static List<Integer> utf8(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Integer> out = new java.util.ArrayList<>(bytes.length);
        for (byte b : bytes) out.add(b & 0xFF);
        return out;
    }

    /**
     * The same tokens, bytes and alternatives with the same log-probabilities up to float rounding:
     * the preset speculates, and two runs may verify in batches of other shapes (the adaptive policy
     * learns between them), which moves a logit's last bits.
     */
    @SuppressWarnings("unchecked")
    private static void assertSameEntries(List<Map<String, Object>> expected, List<Object> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Map<String, Object> e = expected.get(i);
            Map<String, Object> a = (Map<String, Object>) actual.get(i);
            assertEquals(e.get("token"), a.get("token"), a.toString());
            assertEquals(e.get("bytes"), a.get("bytes"), a.toString());
            assertEquals(((Number) e.get("logprob")).doubleValue(), ((Number) a.get("logprob")).doubleValue(), 1e-3, a.toString());
            List<Map<String, Object>> et = (List<Map<String, Object>>) e.get("top_logprobs");
            List<Map<String, Object>> at = (List<Map<String, Object>>) a.get("top_logprobs");
            assertEquals(et.size(), at.size(), a.toString());
            for (int t = 0; t < et.size(); t++) {
                assertEquals(et.get(t).get("token"), at.get(t).get("token"), a.toString());
                assertEquals(((Number) et.get(t).get("logprob")).doubleValue(),
                        ((Number) at.get(t).get("logprob")).doubleValue(), 1e-3, a.toString());
            }
        }
    }
}
