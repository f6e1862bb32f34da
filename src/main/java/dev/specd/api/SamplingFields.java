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

    Integer n();

    Boolean ignoreEos();

    SpeculationRequest speculation();
}
