package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.constrain.ConstraintState;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.constrain.TokenSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The cost of a token-level constraint per generated token, on a real vocabulary: walks a JSON
 * schema's grammar with random allowed tokens (a stand-in for a model: the mask cost does not
 * depend on which allowed token is picked as much as on the states visited) and times, per token,
 * computing the mask (cold: a fresh constraint, every state new; warm: the states seen before, as
 * a server repeating a schema sees them) and applying it to a logits row.
 */
public final class ConstraintBench {

    /** The schema the benchmarks use: strings, an enum, numbers, a nested array. */
    public static final String SCHEMA = """
            {"type":"object","properties":{
              "name":{"type":"string","maxLength":24},
              "mood":{"enum":["happy","sad","angry"]},
              "age":{"type":"integer","minimum":0,"maximum":120},
              "friends":{"type":"array","items":{"type":"string","maxLength":12},"maxItems":3}},
             "required":["name","mood","age","friends"],"additionalProperties":false}""";

    /** Per-token costs, in microseconds. */
    public record Result(int vocab, int tokens, double coldMaskMicros, double warmMaskMicros, double applyMicros,
                         double advanceMicros) {
    }

    private final TokenSpace space;
    private final JsonNode schema;

    public ConstraintBench(TokenSpace space, String schema) {
        this.space = space;
        try {
            this.schema = new ObjectMapper().readTree(schema);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad schema: " + e.getMessage(), e);
        }
    }

    public Result run(int walks, int maxTokens, long seed) {
        Random random = new Random(seed);
        long cold = 0;
        long warm = 0;
        long apply = 0;
        long advance = 0;
        int tokens = 0;
        TokenConstraint shared = new Constraints(space).jsonSchema(schema, "bench");
        float[] logits = new float[space.size()];
        for (int w = 0; w < walks; w++) {
            TokenConstraint fresh = new Constraints(space).jsonSchema(schema, "bench");
            ConstraintState s = fresh.start();
            ConstraintState sw = shared.start();
            for (int i = 0; i < maxTokens; i++) {
                long t0 = System.nanoTime();
                int allowed = s.allowedCount(); // computes the mask
                long t1 = System.nanoTime();
                sw.allowedCount();
                long t2 = System.nanoTime();
                float[] masked = sw.apply(logits);
                long t3 = System.nanoTime();
                cold += t1 - t0;
                warm += t2 - t1;
                apply += t3 - t2;
                int token = pick(masked, random, allowed);
                if (!s.allows(token)) throw new IllegalStateException("mask and check disagree on " + token);
                long t4 = System.nanoTime();
                s = s.advance(token);
                advance += System.nanoTime() - t4;
                sw = sw.advance(token);
                tokens++;
                if (s.isComplete() && s.allowedCount() == space.endTokens().length) break;
            }
        }
        return new Result(space.size(), tokens, cold / 1e3 / tokens, warm / 1e3 / tokens, apply / 1e3 / tokens,
                advance / 1e3 / tokens);
    }

    /** A random allowed token other than an end token, or an end token when nothing else is left. */
    private int pick(float[] masked, Random random, int allowed) {
        List<Integer> ok = new ArrayList<>(allowed);
        int end = -1;
        for (int t = 0; t < masked.length; t++) {
            if (masked[t] == Float.NEGATIVE_INFINITY) continue;
            if (space.isEndToken(t)) end = t;
            else ok.add(t);
        }
        return ok.isEmpty() ? end : ok.get(random.nextInt(ok.size()));
    }
}
