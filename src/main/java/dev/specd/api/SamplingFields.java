package dev.specd.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** The request fields that both completion endpoints share. */
public interface SamplingFields {
    String model();

    Double temperature();

    Double topP();

    Integer topK();

    Double minP();

    Double presencePenalty();

    Double frequencyPenalty();

    Double repetitionPenalty();

    Map<String, Double> logitBias();

    JsonNode stop();

    Long seed();

    Boolean stream();

    StreamOptions streamOptions();

    /** Number of choices, 1..8. */
    Integer n();

    /** OpenAI's end-user id: accepted (a string, or a 400) and ignored. */
    String user();

    Boolean ignoreEos();

    SpeculationRequest speculation();
}
