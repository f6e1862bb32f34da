package dev.specd.forge;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;

/**
 * A tensor to be written: its header entry plus a recipe for its bytes. The bytes are produced only
 * when the writer reaches the tensor, so a model far larger than the heap can be written one tensor
 * at a time.
 *
 * @param dims ggml order (ne0 first), as in {@link GgufTensorInfo#dims()}
 */
public record OutTensor(String name, List<Long> dims, GgmlType type, Content content) {

    /** Produces the tensor's encoded bytes; may run on a worker thread, so it must not share mutable state. */
    @FunctionalInterface
    public interface Content {
        /** Exactly {@code type.bytesFor(elements)} bytes, little-endian, positioned at 0. */
        ByteBuffer bytes();
    }

    public OutTensor {
        dims = List.copyOf(dims);
        new GgufTensorInfo(name, dims, type, 0); // validates the shape
        if (!type.fitsRow(dims.getFirst())) {
            throw new IllegalArgumentException(name + ": rows of " + dims.getFirst() + " do not fill " + type + " blocks");
        }
    }

    public long elements() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    public long bytes() {
        return type.bytesFor(elements());
    }

    /** A tensor copied unchanged (same name, shape, type and bytes) from an open file. */
    public static OutTensor copyOf(GgufFile file, GgufTensorInfo info) {
        return new OutTensor(info.name(), info.dims(), info.type(), () -> file.data(info).asByteBuffer());
    }

    /** A tensor whose values are computed as floats, then encoded to {@code type}. */
    public static OutTensor ofFloats(String name, List<Long> dims, GgmlType type, Supplier<float[]> values) {
        return new OutTensor(name, dims, type, () -> ByteBuffer.wrap(TensorCodec.encode(values.get(), type)));
    }
}
