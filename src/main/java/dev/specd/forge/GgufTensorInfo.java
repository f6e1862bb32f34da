package dev.specd.forge;

import java.util.List;

/**
 * A tensor's header entry.
 *
 * @param name   e.g. {@code blk.0.attn_q.weight}
 * @param dims   ggml order: {@code dims.get(0)} (ne0) is the row length, i.e. the input width of a
 *               weight matrix; {@code token_embd.weight} is {@code [n_embd, n_vocab]}
 * @param type   element type
 * @param offset byte offset inside the data section
 */
public record GgufTensorInfo(String name, List<Long> dims, GgmlType type, long offset) {

    public GgufTensorInfo {
        dims = List.copyOf(dims);
        if (dims.isEmpty() || dims.size() > 4) throw new GgufFormatException(name + ": " + dims.size() + " dimensions");
        for (long d : dims) {
            if (d <= 0) throw new GgufFormatException(name + ": dimension " + d + " in " + dims);
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

    /** ne0: values per row (a weight matrix's input width). */
    public long rowLength() {
        return dims.getFirst();
    }

    public long rows() {
        return elements() / rowLength();
    }

    public int rank() {
        return dims.size();
    }
}
