package dev.specd.forge;

import java.util.Optional;

/**
 * Tensor element types of ggml, with their on-disk block geometry. The forge can encode and decode
 * F32, F16, BF16, Q8_0 and Q4_0; the other entries are listed so that a file holding them (a user's
 * Q4_K_M model, say) can still be read, truncated or copied tensor by tensor without decoding.
 *
 * @param id         the ggml_type number stored in the file
 * @param blockSize  values per block
 * @param blockBytes bytes per block
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    public static Optional<GgmlType> fromId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** Parses a user-facing name such as {@code f16} or {@code q8_0} (case-insensitive). */
    public static GgmlType parse(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name.trim())) return t;
        }
        throw new IllegalArgumentException("unknown tensor type '" + name + "' (expected f32, f16, q8_0 or q4_0)");
    }

    /** Whether {@link TensorCodec} can turn floats into this type. */
    public boolean encodable() {
        return this == F32 || this == F16 || this == BF16 || this == Q8_0 || this == Q4_0;
    }

    /** Whether {@link TensorCodec} can turn this type into floats. */
    public boolean decodable() {
        return encodable();
    }

    /** Bytes taken by {@code elements} values; fails when they do not fill whole blocks. */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " values do not fill whole " + this + " blocks of " + blockSize);
        }
        return elements / blockSize * blockBytes;
    }

    /** Whether rows of {@code rowLength} values can be stored in this type (blocks never span rows). */
    public boolean fitsRow(long rowLength) {
        return rowLength % blockSize == 0;
    }

    /**
     * llama.cpp's {@code general.file_type} (enum llama_ftype) for a file whose matrices are mostly
     * of this type; empty for types the forge does not write.
     */
    public Optional<Integer> llamaFileType() {
        return switch (this) {
            case F32 -> Optional.of(0);
            case F16 -> Optional.of(1);
            case Q4_0 -> Optional.of(2);
            case Q8_0 -> Optional.of(7);
            case BF16 -> Optional.of(32);
            default -> Optional.empty();
        };
    }

    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
