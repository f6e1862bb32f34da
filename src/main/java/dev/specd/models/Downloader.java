package dev.specd.models;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads a model into the cache with a progress bar in the log and a checksum check. The file
 * appears under its final name only when complete and verified (download to a temporary file,
 * then an atomic move), so an interrupted download is never mistaken for a model.
 */
public final class Downloader {

    private static final Logger LOG = Logger.getLogger(Downloader.class);
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    public Path download(String url, Path target, String expectedSha256) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw new ModelResolutionException("downloading " + target.getFileName() + " from " + url
                            + " failed: HTTP " + response.statusCode());
                }
                long total = response.headers().firstValueAsLong("content-length").orElse(-1);
                String sha = copy(response.body(), tmp, total, target.getFileName().toString());
                if (expectedSha256 != null && !expectedSha256.equals(sha)) {
                    throw new ModelResolutionException("checksum mismatch for " + target.getFileName() + " downloaded from "
                            + url + ": expected sha256 " + expectedSha256 + ", got " + sha);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return target;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ModelResolutionException("downloading " + target.getFileName() + " from " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelResolutionException("download of " + target.getFileName() + " interrupted", e);
        }
    }

    private static String copy(InputStream in, Path tmp, long total, String name) throws IOException {
        MessageDigest digest = Checksums.newDigest();
        long done = 0;
        long started = System.nanoTime();
        long lastReport = 0;
        try (in; OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                digest.update(buf, 0, n);
                done += n;
                long now = System.nanoTime();
                if (now - lastReport > 2_000_000_000L) {
                    lastReport = now;
                    LOG.info(progressLine(name, done, total, now - started));
                }
            }
        }
        LOG.info(progressLine(name, done, total > 0 ? total : done, System.nanoTime() - started));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** e.g. {@code stories260K.gguf [##########----------]  50%  0.6/1.2 MB  3.1 MB/s}. */
    static String progressLine(String name, long done, long total, long elapsedNanos) {
        double mb = 1024.0 * 1024.0;
        double rate = done / mb / Math.max(1e-9, elapsedNanos / 1e9);
        if (total <= 0) return String.format("%s %.1f MB  %.1f MB/s", name, done / mb, rate);
        int width = 20;
        int filled = (int) Math.min(width, width * done / total);
        return String.format("%s [%s%s] %3d%%  %.1f/%.1f MB  %.1f MB/s", name, "#".repeat(filled),
                "-".repeat(width - filled), 100 * done / total, done / mb, total / mb, rate);
    }
}
