package dev.specd.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /v1/embeddings on the default pipeline (which enables them): batches, both encodings, through OpenAI's SDK too. */
@QuarkusTest
class EmbeddingsTest {

    @TestHTTPResource("/v1")
    URL v1;

    @Test
    void batchesOfTextsAndTokenIds() {
        var r = OpenAiApiTest.post("/v1/embeddings", """
                {"model":"stories","input":["Once upon a time","The dog ran", [1, 400, 300]]}""")
                .then().statusCode(200).body("object", equalTo("list")).body("data.size()", equalTo(3))
                .body("data[2].index", equalTo(2)).body("model", equalTo("stories")).extract();
        List<Float> v = r.path("data[0].embedding");
        assertEquals(256, v.size());
        double norm = v.stream().mapToDouble(x -> x * x).sum();
        assertEquals(1.0, norm, 1e-3);
        List<Float> w = r.path("data[1].embedding");
        assertTrue(!v.equals(w), "different texts, different vectors");
        int tokens = r.path("usage.prompt_tokens");
        assertTrue(tokens > 3);
    }

    @Test
    void theSdkDecodesBase64AndFloats() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk").maxRetries(0).build();
        try {
            for (EmbeddingCreateParams.EncodingFormat f : List.of(EmbeddingCreateParams.EncodingFormat.BASE64,
                    EmbeddingCreateParams.EncodingFormat.FLOAT)) {
                CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("stories")
                        .input("Once upon a time").encodingFormat(f).build());
                List<Float> e = r.data().getFirst().embedding();
                assertEquals(256, e.size());
                assertEquals(1.0, e.stream().mapToDouble(x -> x * x).sum(), 1e-3);
            }
        } finally {
            client.close();
        }
    }

    @Test
    void badEncodingsAndDimensionsAreNamed() {
        OpenAiApiTest.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":\"x\",\"encoding_format\":\"hex\"}")
                .then().statusCode(400).body("error.param", equalTo("encoding_format"));
        OpenAiApiTest.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":\"x\",\"dimensions\":8}")
                .then().statusCode(400).body("error.param", equalTo("dimensions"));
    }
}
