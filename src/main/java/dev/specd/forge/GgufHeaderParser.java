package dev.specd.forge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Parses the header of a GGUF v2/v3 file (magic, counts, key/value pairs, tensor infos) from a
 * mapped segment. Every length read from the file is checked against the bytes left, so a corrupt
 * file fails with a message instead of an OutOfMemoryError.
 */
final class GgufHeaderParser {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32

    record Header(int version, LinkedHashMap<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                  long dataOffset) {
    }

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final String label;
    private long pos;

    private GgufHeaderParser(MemorySegment seg, String label) {
        this.seg = seg;
        this.label = label;
    }

    static Header parse(MemorySegment seg, String label) {
        return new GgufHeaderParser(seg, label).header();
    }

    private Header header() {
        need(24);
        if (seg.get(U32, 0) != MAGIC) throw error("not a GGUF file (bad magic)");
        pos = 4;
        int version = u32();
        if (version != 2 && version != 3) throw error("unsupported GGUF version " + version);
        long tensorCount = u64();
        long kvCount = u64();
        // Each key/value pair and tensor info takes at least 8 bytes, so larger counts are corrupt.
        if (tensorCount < 0 || kvCount < 0 || tensorCount > seg.byteSize() / 8 || kvCount > seg.byteSize() / 8) {
            throw error("implausible counts: " + tensorCount + " tensors, " + kvCount + " metadata pairs");
        }
        LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            GgufValue value = value(GgufValueType.fromId(u32()));
            if (metadata.putIfAbsent(key, value) != null) throw error("duplicate metadata key " + key);
        }
        List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            tensors.add(tensorInfo());
        }
        int alignment = GgufFile.alignmentOf(metadata);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) throw error("alignment " + alignment + " is not a power of two");
        long dataOffset = GgufWriter.align(pos, alignment);
        for (GgufTensorInfo t : tensors) {
            if (t.offset() % alignment != 0) throw error("tensor " + t.name() + " is not aligned to " + alignment);
            if (dataOffset + t.offset() + t.bytes() > seg.byteSize()) {
                throw error("tensor " + t.name() + " extends past the end of the file");
            }
        }
        return new Header(version, metadata, List.copyOf(tensors), dataOffset);
    }

    private GgufTensorInfo tensorInfo() {
        String name = string();
        int nDims = u32();
        if (nDims < 1 || nDims > 4) throw error("tensor " + name + " has " + nDims + " dimensions");
        List<Long> dims = new ArrayList<>(nDims);
        for (int d = 0; d < nDims; d++) dims.add(u64());
        int typeId = u32();
        GgmlType type = GgmlType.fromId(typeId)
                .orElseThrow(() -> error("tensor " + name + " has unknown ggml type " + typeId));
        long offset = u64();
        try {
            return new GgufTensorInfo(name, dims, type, offset);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private GgufValue value(GgufValueType type) {
        return switch (type) {
            case UINT8 -> new GgufValue(type, (long) (u8() & 0xFF));
            case INT8 -> new GgufValue(type, (long) u8());
            case UINT16 -> new GgufValue(type, (long) (u16() & 0xFFFF));
            case INT16 -> new GgufValue(type, (long) u16());
            case UINT32 -> new GgufValue(type, u32() & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue(type, (long) u32());
            case UINT64, INT64 -> new GgufValue(type, u64());
            case FLOAT32 -> new GgufValue(type, f32());
            case FLOAT64 -> new GgufValue(type, f64());
            case BOOL -> new GgufValue(type, bool());
            case STRING -> new GgufValue(type, string());
            case ARRAY -> array();
        };
    }

    private GgufValue array() {
        GgufValueType elementType = GgufValueType.fromId(u32());
        long n = u64();
        if (n < 0 || n > seg.byteSize() - pos) throw error("array of " + n + " items exceeds the file");
        List<GgufValue> items = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) items.add(value(elementType));
        return GgufValue.array(elementType, items);
    }

    private boolean bool() {
        byte b = u8();
        if (b != 0 && b != 1) throw error("bool value " + b);
        return b == 1;
    }

    private String string() {
        long n = u64();
        if (n < 0 || n > seg.byteSize() - pos) throw error("string of " + n + " bytes exceeds the file");
        ByteBuffer bytes = seg.asSlice(pos, n).asByteBuffer();
        pos += n;
        try {
            // Strict decoding: a lenient one would silently replace bytes and break byte-exact round trips.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error("string at byte " + (pos - n) + " is not valid UTF-8");
        }
    }

    private byte u8() {
        need(1);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short u16() {
        need(2);
        short v = seg.get(U16, pos);
        pos += 2;
        return v;
    }

    private int u32() {
        need(4);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64() {
        need(8);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    private float f32() {
        need(4);
        float v = seg.get(F32, pos);
        pos += 4;
        return v;
    }

    private double f64() {
        need(8);
        double v = seg.get(F64, pos);
        pos += 8;
        return v;
    }

    private void need(long n) {
        if (pos + n > seg.byteSize()) throw error("truncated header at byte " + pos);
    }

    private GgufFormatException error(String message) {
        return new GgufFormatException(label + ": " + message);
    }
}
