package dev.specd.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Wrong JSON types are rejected as OpenAI does, instead of being coerced: {@code "max_tokens": "5"},
 * {@code "k": 1.5} or {@code "stream": "yes"} are 400s naming the field, not silently 5, 1 or true.
 * A body is one JSON value: anything after it is a 400, and so is a key given twice in one object
 * (Jackson, like Python's json and nlohmann's, would keep one of the two silently; a proxy in front
 * of us may have read the other, so such a body has no one meaning).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** How Jackson's duplicate detection starts its message. */
    private static final String DUPLICATE = "Duplicate field '";

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean,
                LogicalType.Textual}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, type == LogicalType.Textual
                    ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    /**
     * The 400 for a body these rules refuse (a duplicate key, data after the value), worded for
     * the client; null for other JSON errors.
     *
     * @param where the path of the object holding the problem ({@code messages[0]}), or null at the top
     */
    static ApiException refusal(JsonProcessingException e, String where) {
        String what = e.getOriginalMessage();
        if (what == null) return null;
        if (what.startsWith(DUPLICATE) && what.endsWith("'")) {
            String key = what.substring(DUPLICATE.length(), what.length() - 1);
            String param = where == null ? key : where + "." + key;
            return ApiException.invalid(param, "Duplicate key '" + ApiException.echo(key) + "'"
                    + (where == null ? "" : " in '" + where + "'") + ": each key may appear once per object");
        }
        if (e instanceof MismatchedInputException && what.startsWith("Trailing token")) {
            return ApiException.invalid(null, "The request body must be one JSON value, with nothing after it");
        }
        return null;
    }
}
