package dev.specd.models;

import com.sun.net.httpserver.HttpServer;
import dev.specd.TestModels;
import dev.specd.forge.Forge;
import dev.specd.plan.ModelRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelResolverTest {

    static final String STORIES_SHA = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

    @TempDir
    Path cache;

    ModelResolver resolver(boolean download) {
        return new ModelResolver(List.of(TestModels.dir()), cache, download, Forge::forge);
    }

    @Test
    void findsAFileInTheModelDirectoriesAndChecksIt() {
        Path p = resolver(false).resolve(new ModelRef.File("stories260K.gguf", Optional.empty(), Optional.of(STORIES_SHA)));
        assertEquals(TestModels.stories260K(), p);
    }

    @Test
    void aMissingFileIsNamed() {
        var e = assertThrows(ModelResolutionException.class, () -> resolver(true)
                .resolve(new ModelRef.File("no-such-model.gguf", Optional.empty(), Optional.empty())));
        assertTrue(e.getMessage().contains("no-such-model.gguf"), e.getMessage());
    }

    @Test
    void aChecksumMismatchNamesTheFile() {
        String wrong = "0".repeat(64);
        var e = assertThrows(ModelResolutionException.class, () -> resolver(false)
                .resolve(new ModelRef.File("stories260K.gguf", Optional.empty(), Optional.of(wrong))));
        assertTrue(e.getMessage().contains(TestModels.stories260K().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void downloadsIntoTheCacheAndVerifies() throws IOException {
        byte[] bytes = Files.readAllBytes(TestModels.stories260K());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/m.gguf", x -> {
            x.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/m.gguf";
            var bad = assertThrows(ModelResolutionException.class, () -> resolver(true)
                    .resolve(new ModelRef.File("fetched.gguf", Optional.of(url), Optional.of("1".repeat(64)))));
            assertTrue(bad.getMessage().contains("fetched.gguf") && bad.getMessage().contains("checksum"), bad.getMessage());
            assertFalse(Files.exists(cache.resolve("models/fetched.gguf")), "a file that failed its check is not kept");

            var disabled = assertThrows(ModelResolutionException.class, () -> resolver(false)
                    .resolve(new ModelRef.File("fetched.gguf", Optional.of(url), Optional.of(STORIES_SHA))));
            assertTrue(disabled.getMessage().contains("downloads are disabled"), disabled.getMessage());

            Path got = resolver(true).resolve(new ModelRef.File("fetched.gguf", Optional.of(url), Optional.of(STORIES_SHA)));
            assertEquals(cache.resolve("models/fetched.gguf"), got);
            assertEquals(STORIES_SHA, Checksums.compute(got));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void forgedModelsAreMadeOnceAndCached() throws IOException {
        ModelRef ref = new ModelRef.Forged("truncate", new ModelRef.File("stories260K.gguf", Optional.empty(),
                Optional.empty()), Map.of("layers", "2"));
        Path first = resolver(false).resolve(ref);
        var made = Files.getLastModifiedTime(first);
        Path second = resolver(false).resolve(ref);
        assertEquals(first, second);
        assertEquals(made, Files.getLastModifiedTime(second));
        assertTrue(first.startsWith(cache.resolve("models/forged")));
        Path newerForge = new ModelResolver(List.of(TestModels.dir()), cache, false, Forge::forge, "forge-v99").resolve(ref);
        assertFalse(newerForge.equals(first), "another forge version must not reuse the cached file");
    }

    @Test
    void progressLineShowsABar() {
        assertEquals("m.gguf [##########----------]  50%  1.0/2.0 MB  1.0 MB/s",
                Downloader.progressLine("m.gguf", 1 << 20, 2 << 20, 1_000_000_000L));
    }
}
