package dev.specd.forge;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * A GGUF file opened for reading. The file is memory-mapped, so opening a gigabyte model costs only
 * the header parse; tensor data is paged in when {@link #data} or {@link #floats} touch it. Closing
 * unmaps the file, after which segments obtained from it must not be used.
 */
public final class GgufFile implements AutoCloseable {

    public static final String ALIGNMENT_KEY = "general.alignment";
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final int version;
    private final SequencedMap<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapped, GgufHeaderParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.version = header.version();
        this.metadata = Collections.unmodifiableSequencedMap(header.metadata());
        this.tensors = header.tensors();
        this.dataOffset = header.dataOffset();
    }

    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            GgufHeaderParser.Header header = GgufHeaderParser.parse(mapped, path.toString());
            return new GgufFile(path, arena, mapped, header);
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException("cannot read GGUF file " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** Every key/value pair in file order. */
    public SequencedMap<String, GgufValue> metadata() {
        return metadata;
    }

    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public long fileSize() {
        return mapped.byteSize();
    }

    /** Where the data section starts in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    public int alignment() {
        return alignmentOf(metadata);
    }

    static int alignmentOf(SequencedMap<String, GgufValue> metadata) {
        GgufValue v = metadata.get(ALIGNMENT_KEY);
        return v == null ? DEFAULT_ALIGNMENT : v.asInt();
    }

    public Optional<GgufValue> value(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** A required metadata value; the failure names the key and the file. */
    public GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) throw new GgufFormatException(path + " has no metadata key " + key);
        return v;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public GgufTensorInfo requireTensor(String name) {
        return tensor(name).orElseThrow(() -> new GgufFormatException(path + " has no tensor " + name));
    }

    /** The tensor's raw bytes (a read-only view into the mapping, no copy). */
    public MemorySegment data(GgufTensorInfo tensor) {
        return mapped.asSlice(dataOffset + tensor.offset(), tensor.bytes()).asReadOnly();
    }

    /** The tensor's values as floats, decoded from its type (F32, F16, BF16, Q8_0 or Q4_0). */
    public float[] floats(GgufTensorInfo tensor) {
        return TensorCodec.decode(data(tensor), tensor.type(), Math.toIntExact(tensor.elements()));
    }

    public float[] floats(String tensorName) {
        return floats(requireTensor(tensorName));
    }

    /** A copy of the metadata that callers may edit, still in file order. */
    public LinkedHashMap<String, GgufValue> metadataCopy() {
        return new LinkedHashMap<>(metadata);
    }

    @Override
    public void close() {
        arena.close();
    }
}
