package dev.specd.forge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes GGUF v3 files. The output depends only on the arguments: metadata in the map's order,
 * tensors in list order, zero padding. Tensor contents are computed by a few worker threads a
 * little ahead of the writer (each tensor's content is independent, so the bytes do not depend on
 * scheduling) and written in order, so memory holds only a handful of tensors at a time.
 */
public final class GgufWriter {

    private GgufWriter() {
    }

    public static long align(long offset, int alignment) {
        long rem = offset % alignment;
        return rem == 0 ? offset : offset + alignment - rem;
    }

    /**
     * Writes (or overwrites) {@code out}.
     *
     * @return the file size in bytes
     */
    public static long write(Path out, SequencedMap<String, GgufValue> metadata, List<OutTensor> tensors) {
        Set<String> names = new HashSet<>();
        for (OutTensor t : tensors) {
            if (!names.add(t.name())) throw new IllegalArgumentException("duplicate tensor " + t.name());
        }
        int alignment = GgufFile.alignmentOf(metadata);
        byte[] header = header(metadata, tensors, alignment);
        int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon().factory())) {
            long pos = writeFully(ch, ByteBuffer.wrap(header), 0);
            pos = pad(ch, pos, alignment);
            ArrayDeque<Future<ByteBuffer>> ahead = new ArrayDeque<>();
            int next = 0;
            for (OutTensor t : tensors) {
                while (next < tensors.size() && ahead.size() < workers + 1) {
                    OutTensor submit = tensors.get(next++);
                    ahead.add(pool.submit(() -> submit.content().bytes()));
                }
                ByteBuffer data = await(ahead.poll(), t.name());
                if (data.remaining() != t.bytes()) {
                    throw new IllegalStateException("tensor " + t.name() + " produced " + data.remaining()
                            + " bytes, expected " + t.bytes());
                }
                pos = writeFully(ch, data, pos);
                pos = pad(ch, pos, alignment);
            }
            return pos;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer await(Future<ByteBuffer> future, String name) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing tensor " + name, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException("computing tensor " + name + " failed", e.getCause());
        }
    }

    private static long writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) pos += ch.write(buf, pos);
        return pos;
    }

    private static long pad(FileChannel ch, long pos, int alignment) throws IOException {
        long aligned = align(pos, alignment);
        return aligned == pos ? pos : writeFully(ch, ByteBuffer.allocate((int) (aligned - pos)), pos);
    }

    /** The header bytes: magic, version 3, counts, metadata, tensor infos with aligned offsets. */
    static byte[] header(SequencedMap<String, GgufValue> metadata, List<OutTensor> tensors, int alignment) {
        Encoder e = new Encoder();
        e.u32(GgufHeaderParser.MAGIC);
        e.u32(3);
        e.u64(tensors.size());
        e.u64(metadata.size());
        metadata.forEach((key, value) -> {
            e.string(key);
            e.u32(value.type().id());
            e.value(value);
        });
        long offset = 0;
        for (OutTensor t : tensors) {
            e.string(t.name());
            e.u32(t.dims().size());
            t.dims().forEach(e::u64);
            e.u32(t.type().id());
            e.u64(offset);
            offset = align(offset + t.bytes(), alignment);
        }
        return e.toByteArray();
    }

    /** Little-endian serialisation of header fields. */
    private static final class Encoder extends ByteArrayOutputStream {
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void u32(long v) {
            scratch.clear();
            scratch.putInt((int) v);
            write(scratch.array(), 0, 4);
        }

        void u64(long v) {
            scratch.clear();
            scratch.putLong(v);
            write(scratch.array(), 0, 8);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            writeBytes(b);
        }

        void value(GgufValue v) {
            switch (v.type()) {
                case UINT8, INT8 -> write((int) v.asLong());
                case BOOL -> write(v.asBoolean() ? 1 : 0);
                case UINT16, INT16 -> {
                    long x = v.asLong();
                    write((int) x);
                    write((int) (x >>> 8));
                }
                case UINT32, INT32 -> u32(v.asLong());
                case UINT64, INT64 -> u64(v.asLong());
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
                case STRING -> string(v.asString());
                case ARRAY -> {
                    GgufValue.GgufArray a = v.asArray();
                    u32(a.elementType().id());
                    u64(a.items().size());
                    a.items().forEach(this::value);
                }
            }
        }
    }
}
