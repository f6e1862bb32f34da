package dev.specd.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;

/** JSON as the plain maps and lists templates read. */
final class JsonMaps {

    static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonMaps() {
    }

    /** The value of a JSON text, or the text itself when it is not JSON. */
    static Object parseOrText(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (Exception e) {
            return text;
        }
    }
}
