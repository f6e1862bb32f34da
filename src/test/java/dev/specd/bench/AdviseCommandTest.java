package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.TestModels;
import dev.specd.plan.PipelineSpecParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code specd advise} end to end on stories260K (293K parameters: seconds), drafting for itself
 * and by prompt lookup: a model drafting for itself greedily is (almost) always accepted.
 */
class AdviseCommandTest {

    @TempDir
    Path out;

    @Test
    void advisesWritesAParsablePipelineAndVerifies() throws Exception {
        String model = TestModels.stories260K().toString();
        int rc = AdviseCommand.run("--target", model, "--draft", model, "--draft", "lookup", "--prompts", "2",
                "--tokens", "24", "--threads", "1", "--out", out.toString(), "--verify");
        assertEquals(0, rc);
        JsonNode advice = new ObjectMapper().readTree(out.resolve("advice.json").toFile());
        JsonNode candidates = advice.get("candidates");
        assertEquals(2, candidates.size());
        JsonNode self = candidates.get(0);
        assertEquals(model, self.get("draft").asText());
        assertTrue(self.get("rounds").asLong() > 0);
        assertTrue(self.get("alphas").get(0).asDouble() >= 0.95, "self-draft α0 " + self.get("alphas").get(0));
        assertEquals(9, self.get("points").size());
        assertEquals(1.0, self.get("points").get(0).get("speedup").asDouble(), 1e-9);
        assertTrue(self.get("cost_ratio").asDouble() > 0, "a model draft costs something");
        // Lookup's step is host work only (a suffix match), no model decode: far cheaper than a model's.
        assertTrue(candidates.get(1).get("draft_ms_per_step").asDouble() < self.get("draft_ms_per_step").asDouble() / 2,
                "lookup " + candidates.get(1).get("draft_ms_per_step") + " ms, model " + self.get("draft_ms_per_step"));
        String mode = advice.get("recommendation").get("mode").asText();
        assertTrue(mode.equals("off") || mode.equals("lossless"), mode);
        JsonNode verify = advice.get("verify");
        assertTrue(verify.get("measured_speedup").asDouble() > 0);
        assertTrue(verify.get("identical_outputs").asBoolean(), "greedy lossless output is the target's");
        var spec = PipelineSpecParser.parse(Files.readString(out.resolve("advised.yaml")), "advised.yaml");
        assertEquals("advised", spec.id());
    }
}
