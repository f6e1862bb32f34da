package dev.specd.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.engine.Embedder;
import dev.specd.engine.Vocab;
import dev.specd.sched.Pipeline;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings} from the pipelines that enable them ({@code embeddings: true} in
 * their target): pooled, L2-normalised vectors of the target model, as floats or as base64 of
 * little-endian float32 (what OpenAI's SDKs ask for by default and decode).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EmbeddingsResource {

    /** Inputs per request, as OpenAI allows. */
    static final int MAX_INPUTS = 2048;

    public record Embedding(String object, int index, Object embedding) {
    }

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("total_tokens") int totalTokens) {
    }

    public record EmbeddingList(String object, List<Embedding> data, String model, Usage usage) {
    }

    @Inject
    OpenAiResource chat;

    @Inject
    RequestLimits limits;

    @POST
    @Path("/embeddings")
    @RunOnVirtualThread
    public EmbeddingList embeddings(EmbeddingRequest request, @Context RoutingContext http) {
        if (request == null) throw ApiException.invalid(null, "the request body must be a JSON object");
        Pipeline engine = chat.engine(request.model());
        Embedder embedder = engine.engine().embedder().orElseThrow(() -> ApiException.unsupported("model",
                "the model '" + engine.plan().id() + "' serves no embeddings (its pipeline does not set embeddings: true)"));
        boolean base64 = switch (request.encodingFormat() == null ? "float" : request.encodingFormat()) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw ApiException.invalid("encoding_format", "encoding_format must be float or base64");
        };
        if (request.dimensions() != null && request.dimensions() != embedder.dimensions()) {
            throw ApiException.unsupported("dimensions", "this model's embeddings have " + embedder.dimensions()
                    + " dimensions; shortening them is not supported");
        }
        // Sized and tokenised within bounds, as prompts are: each input may hold the embedder's window.
        PromptBudget budget = limits.begin(null, engine.target().vocab(), embedder.maxTokens() + 1, http);
        List<int[]> inputs = inputs(request.input(), budget, embedder.maxTokens());
        List<float[]> vectors = embedder.embed(inputs);
        List<Embedding> data = new ArrayList<>(vectors.size());
        int tokens = 0;
        for (int i = 0; i < vectors.size(); i++) {
            data.add(new Embedding("embedding", i, base64 ? base64(vectors.get(i)) : vectors.get(i)));
            tokens += inputs.get(i).length;
        }
        return new EmbeddingList("list", data, engine.plan().id(), new Usage(tokens, tokens));
    }

    private static List<int[]> inputs(JsonNode input, PromptBudget budget, int maxTokens) {
        Vocab vocab = budget.vocab();
        if (input == null || input.isNull()) throw ApiException.invalid("input", "input is required");
        List<int[]> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(text(input.asText(), budget, "input"));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isInt()) {
            out.add(CompletionMapper.tokens(input, vocab, "input"));
        } else if (input.isArray() && !input.isEmpty()) {
            if (input.size() > MAX_INPUTS) throw ApiException.invalid("input", "at most " + MAX_INPUTS + " inputs per request");
            for (int i = 0; i < input.size(); i++) {
                JsonNode x = input.get(i);
                String p = "input[" + i + "]";
                if (x.isTextual()) out.add(text(x.asText(), budget, p));
                else if (x.isArray() && !x.isEmpty()) out.add(CompletionMapper.tokens(x, vocab, p));
                else throw ApiException.invalid(p, p + " must be a non-empty string or array of token ids");
            }
        } else {
            throw ApiException.invalid("input", "input must be a string, an array of strings, or token ids");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length > maxTokens) {
                throw ApiException.invalid("input", "input " + i + " has " + out.get(i).length + " tokens; at most "
                        + maxTokens + " are allowed");
            }
        }
        return out;
    }

    private static int[] text(String s, PromptBudget budget, String param) {
        if (s.isEmpty()) throw ApiException.invalid(param, param + " must not be empty");
        return budget.tokenize(s, param, true, false); // input text, never special tokens
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
