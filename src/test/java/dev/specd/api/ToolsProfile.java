package dev.specd.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The server with test pipelines whose models carry real chat templates (src/test/resources/pipelines:
 * stories260K forged with each family's template, drafted by stories260K): tools, structured
 * output and the other endpoints clients use. One profile for all those tests, so Quarkus starts once.
 */
public final class ToolsProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("specd.pipelines.embedded", "tools-qwen,tools-hermes,tools-llama,tools-mistral,stories");
    }
}
