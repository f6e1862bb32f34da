package dev.specd.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.specd.constrain.Constraints;
import dev.specd.constrain.TokenConstraint;
import dev.specd.constrain.TokenSpace;
import dev.specd.plan.CascadeSpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationSpec;
import dev.specd.sampling.SamplingParams;
import dev.specd.sched.Collector;
import dev.specd.sched.LocalEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured output from the real (tiny) models: seeded sampled requests under a JSON schema, with
 * speculation off, lossless and cascading, all end with a text that validates against the schema
 * (checked by an independent validator) — the model alone would write a children's story.
 */
class ConstrainedGenerationTest {

    static final String SCHEMA = """
            {"type":"object","properties":{
              "name":{"type":"string","maxLength":8},
              "mood":{"enum":["happy","sad","sleepy"]},
              "age":{"type":"integer","minimum":1,"maximum":99},
              "toys":{"type":"array","items":{"type":"string","maxLength":5},"maxItems":2},
              "kind":{"type":"boolean"}},
             "required":["name","mood","age","toys"],"additionalProperties":false}""";
    /** Per mode; 200 in all. */
    static int requests(SpeculationMode mode) {
        return mode == SpeculationMode.CASCADE ? 60 : 70;
    }
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode schema;
    static LocalEngine off;
    static LocalEngine lossless;
    static LocalEngine cascade;
    static TokenConstraint constraint;

    @BeforeAll
    static void start() throws Exception {
        schema = JSON.readTree(SCHEMA);
        off = Pair.loop(SpeculationMode.OFF, 0, CascadeSpec.DEFAULT, false, 8);
        lossless = Pair.loop(SpeculationMode.LOSSLESS, 4, CascadeSpec.DEFAULT, false, 8);
        cascade = Pair.loop(SpeculationMode.CASCADE, 4, CascadeSpec.DEFAULT, false, 8);
        constraint = new Constraints(TokenSpace.of(off.engine().target().vocab())).jsonSchema(schema, "child");
    }

    @AfterAll
    static void stop() {
        off.close();
        lossless.close();
        cascade.close();
    }

    @ParameterizedTest
    @EnumSource(SpeculationMode.class)
    void everyAnswerValidates(SpeculationMode mode) throws Exception {
        LocalEngine loop = switch (mode) {
            case OFF -> off;
            case LOSSLESS -> lossless;
            case CASCADE -> cascade;
        };
        int[] prompt = loop.engine().target().vocab().tokenize("Lily wrote down what she knew about her friend:", true, false);
        SpeculationSpec s = Pair.settings(mode, 4, CascadeSpec.DEFAULT);
        int requests = requests(mode);
        List<java.util.concurrent.CompletableFuture<Collector.Completed>> runs = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            GenerationRequest r = new GenerationRequest(prompt, SamplingParams.defaults().withSeed(1000 + i), 120,
                    List.of(), false, s).withConstraint(constraint);
            runs.add(Collector.submit(loop.pipeline(), r));
        }
        List<String> texts = new ArrayList<>();
        List<FinishReason> reasons = new ArrayList<>();
        List<SpeculationSummary> summaries = new ArrayList<>();
        for (var f : runs) {
            Collector.Completed c = f.get(5, TimeUnit.MINUTES);
            texts.add(c.text());
            reasons.add(c.done().reason());
            summaries.add(c.done().speculation());
        }
        var validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(schema, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        int drafted = 0;
        for (int i = 0; i < requests; i++) {
            assertEquals(FinishReason.STOP, reasons.get(i), "request " + i + " did not finish: " + texts.get(i));
            Set<ValidationMessage> errors = validator.validate(JSON.readTree(texts.get(i)));
            assertTrue(errors.isEmpty(), "'" + texts.get(i) + "' fails " + errors);
            drafted += summaries.get(i).drafted();
        }
        if (mode != SpeculationMode.OFF) assertTrue(drafted > 0, "speculation drafted nothing");
    }
}
