package dev.specd.forge;

import java.util.List;

/**
 * One typed metadata value. The GGUF type is kept next to the Java value so that a file read and
 * written again gets the very same bytes (a {@code u32} stays a {@code u32}, not an {@code i64}).
 * Java representation by type: every integer type as a {@link Long} (a {@code u64} as its two's
 * complement bits), {@code f32} as {@link Float}, {@code f64} as {@link Double}, {@code bool} as
 * {@link Boolean}, {@code string} as {@link String}, {@code array} as {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    /** A homogeneous array: every item has {@code elementType} (arrays of arrays are allowed). */
    public record GgufArray(GgufValueType elementType, List<GgufValue> items) {
        public GgufArray {
            items = List.copyOf(items);
            for (GgufValue item : items) {
                if (item.type() != elementType) {
                    throw new IllegalArgumentException("array of " + elementType + " holds a " + item.type());
                }
            }
        }
    }

    public GgufValue {
        Class<?> expected = switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " value must be a " + expected.getSimpleName() + ", got " + value);
        }
        if (type.isInteger()) checkRange(type, (Long) value);
    }

    private static void checkRange(GgufValueType type, long v) {
        boolean ok = switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true;
        };
        if (!ok) throw new IllegalArgumentException(v + " is out of range for " + type);
    }

    public static GgufValue u32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue i32(int v) {
        return new GgufValue(GgufValueType.INT32, (long) v);
    }

    public static GgufValue u64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue f32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue array(GgufValueType elementType, List<GgufValue> items) {
        return new GgufValue(GgufValueType.ARRAY, new GgufArray(elementType, items));
    }

    /** Any integer value as a long; fails for other types. */
    public long asLong() {
        if (!type.isInteger()) throw new IllegalStateException("not an integer: " + type);
        return (Long) value;
    }

    /** An integer value that must fit an int (counts and sizes). */
    public int asInt() {
        return Math.toIntExact(asLong());
    }

    /** Any numeric value as a double (integers, f32, f64). */
    public double asDouble() {
        return switch (value) {
            case Long l when type == GgufValueType.UINT64 && l < 0 -> Double.parseDouble(Long.toUnsignedString(l));
            case Long l -> l;
            case Float f -> f;
            case Double d -> d;
            default -> throw new IllegalStateException("not a number: " + type);
        };
    }

    public String asString() {
        if (type != GgufValueType.STRING) throw new IllegalStateException("not a string: " + type);
        return (String) value;
    }

    public boolean asBoolean() {
        if (type != GgufValueType.BOOL) throw new IllegalStateException("not a bool: " + type);
        return (Boolean) value;
    }

    public GgufArray asArray() {
        if (type != GgufValueType.ARRAY) throw new IllegalStateException("not an array: " + type);
        return (GgufArray) value;
    }

    /** A short rendering for logs: arrays show their type and length, not their items. */
    @Override
    public String toString() {
        return switch (value) {
            case GgufArray a -> "[" + a.elementType().name().toLowerCase() + " x " + a.items().size() + "]";
            case Long l when type == GgufValueType.UINT64 -> Long.toUnsignedString(l);
            case String s -> '"' + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + '"';
            default -> String.valueOf(value);
        };
    }
}
