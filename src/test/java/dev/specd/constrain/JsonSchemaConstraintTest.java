package dev.specd.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Texts sampled under a JSON-schema constraint (uniformly among the allowed tokens, the harshest
 * "model") always parse and validate, for every feature the compiler supports; what it does not
 * support is refused with the keyword named.
 */
class JsonSchemaConstraintTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    static Set<ValidationMessage> validate(JsonNode schema, String text) throws Exception {
        JsonSchema s = FACTORY.getSchema(schema, CONFIG);
        return s.validate(JSON.readTree(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":6},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"boolean\"},\"b\":{\"enum\":[\"red\",\"rose\",3,null]},\"c\":{\"const\":\"x\"}},\"required\":[\"b\"]}",
            "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":5},\"minItems\":1,\"maxItems\":4}",
            "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":3},\"maxItems\":3},\"pos\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"number\"},{\"type\":\"null\"}]}},\"required\":[\"tags\",\"pos\"]}",
            "{\"type\":\"object\",\"properties\":{\"d\":{\"type\":\"string\",\"format\":\"date\"},\"t\":{\"type\":\"string\",\"format\":\"date-time\"},\"u\":{\"type\":\"string\",\"format\":\"uuid\"},\"ip\":{\"type\":\"string\",\"format\":\"ipv4\"}},\"required\":[\"d\",\"t\",\"u\",\"ip\"]}",
            "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{2}-[0-9]{1,3}$\"},\"n\":{\"type\":[\"integer\",\"null\"]}},\"required\":[\"code\",\"n\"]}",
            "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\",\"maximum\":9,\"minimum\":0},\"next\":{\"anyOf\":[{\"$ref\":\"#/$defs/node\"},{\"type\":\"null\"}]}},\"required\":[\"v\",\"next\"]}},\"$ref\":\"#/$defs/node\"}",
            "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"integer\",\"exclusiveMinimum\":10,\"exclusiveMaximum\":1000}},\"required\":[\"k\"],\"additionalProperties\":{\"type\":\"boolean\"}}",
            "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4}},\"required\":[\"s\"],\"title\":\"T\",\"description\":\"ignored\"}"
    })
    void sampledTextsValidate(String schemaText) throws Exception {
        JsonNode schema = JSON.readTree(schemaText);
        TokenConstraint c = new TokenConstraint(JsonSchemaCompiler.compile(schema), TestVocab.space(), "test");
        Random random = new Random(42);
        int ended = 0;
        for (int i = 0; i < 60; i++) {
            String text = RandomWalk.walk(c, random, 400, 0.5);
            if (text == null) continue;
            ended++;
            Set<ValidationMessage> errors = validate(schema, text);
            assertTrue(errors.isEmpty(), "'" + text + "' fails " + errors);
        }
        assertTrue(ended >= 40, "only " + ended + " of 60 walks ended");
    }

    @Test
    void jsonObjectTextsAreObjects() throws Exception {
        TokenConstraint c = new TokenConstraint(JsonSchemaCompiler.anyObject(), TestVocab.space(), "json_object");
        Random random = new Random(7);
        int ended = 0;
        for (int i = 0; i < 40; i++) {
            String text = RandomWalk.walk(c, random, 300, 0.9);
            if (text == null) continue;
            ended++;
            assertTrue(JSON.readTree(text).isObject(), text);
        }
        assertTrue(ended > 0);
    }

    @Test
    void aCompleteTextAllowsOnlyTheEnd() {
        TokenConstraint c = new TokenConstraint(JsonSchemaCompiler.compile(JSON.valueToTree(
                java.util.Map.of("const", "ok"))), TestVocab.space(), "const");
        ConstraintState s = c.start();
        for (char ch : "\"ok\"".toCharArray()) s = s.advance(ch);
        assertTrue(s.isComplete());
        assertEquals(1, s.allowedCount());
        assertTrue(s.allows(TestVocab.EOS));
        assertTrue(!s.allows(TestVocab.CONTROL));
        ConstraintState ended = s.advance(TestVocab.EOS);
        assertTrue(ended.allows(TestVocab.EOS));
        assertEquals(1, ended.allowedCount());
    }

    @Test
    void masksAgreeWithSingleTokenChecks() throws Exception {
        TokenConstraint c = new TokenConstraint(JsonSchemaCompiler.compile(JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}")),
                TestVocab.space(), "t");
        ConstraintState s = c.start();
        Random random = new Random(3);
        for (int step = 0; step < 30 && !s.isComplete(); step++) {
            long[] mask = s.mask();
            int pick = -1;
            for (int t = 0; t < c.tokens().size(); t++) {
                boolean inMask = (mask[t >>> 6] & (1L << (t & 63))) != 0;
                assertEquals(inMask, s.allows(t), "token " + t + " at step " + step);
                if (inMask && !c.tokens().isEnd(t) && (pick < 0 || random.nextInt(4) == 0)) pick = t;
            }
            s = s.advance(pick);
        }
    }

    @Test
    void maskingLeavesOnlyAllowedTokens() {
        TokenConstraint c = new TokenConstraint(JsonSchemaCompiler.compile(JSON.valueToTree(
                java.util.Map.of("type", "boolean"))), TestVocab.space(), "bool");
        float[] logits = new float[c.tokens().size() + 3];
        float[] masked = c.start().apply(logits);
        int finite = 0;
        for (int t = 0; t < masked.length; t++) if (masked[t] != Float.NEGATIVE_INFINITY) finite++;
        // " ", "  ", "\n", "\n  ", "true", "false", and the single bytes ' ', '\t', '\n', 't', 'f'
        assertEquals(c.start().allowedCount(), finite);
        assertEquals(0f, logits[0]); // the input row is untouched
        assertTrue(c.start().allows(TestVocab.space().size() - TestVocab.WORDS.length + 6)); // "true"
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"string\",\"format\":\"email\"}|format",
            "{\"type\":\"array\",\"uniqueItems\":true}|uniqueItems",
            "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}|oneOf",
            "{\"type\":\"object\",\"patternProperties\":{\"^a\":{}}}|patternProperties",
            "{\"type\":\"number\",\"minimum\":0}|minimum",
            "{\"type\":\"integer\",\"multipleOf\":3}|multipleOf",
            "{\"$ref\":\"https://example.com/s.json\"}|$ref",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"not\":{}}}}|not",
            "{\"type\":\"object\",\"required\":[\"x\"],\"properties\":{}}|required"
    })
    void unsupportedKeywordsAreNamed(String caseText) throws Exception {
        String[] parts = caseText.split("\\|");
        JsonNode schema = JSON.readTree(parts[0]);
        UnsupportedConstraintException e = assertThrows(UnsupportedConstraintException.class,
                () -> JsonSchemaCompiler.compile(schema));
        assertEquals(parts[1], e.keyword(), e.getMessage());
        assertNotNull(e.getMessage());
    }

    @Test
    void integerRangesAreExact() {
        long[][] ranges = {{0, 0}, {-3, 17}, {5, 123}, {-250, -40}, {99, 1000}, {7, IntegerRange.UNBOUNDED}};
        for (long[] r : ranges) {
            Grammar g = Grammar.compile(IntegerRange.of(r[0], r[1]));
            for (long v = -400; v <= 1200; v++) {
                GrammarState s = g.start().advance(Long.toString(v).getBytes());
                boolean accepted = s != null && s.isComplete();
                assertEquals(v >= r[0] && v <= r[1], accepted, v + " in [" + r[0] + ", " + r[1] + "]");
            }
            assertEquals(null, g.start().advance("007".getBytes()) == null ? null : "leading zeros");
        }
    }
}
