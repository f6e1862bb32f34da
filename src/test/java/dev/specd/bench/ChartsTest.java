package dev.specd.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark plots are real PNG images of the promised size, written without a display. */
class ChartsTest {

    @TempDir
    Path dir;

    @Test
    void barsAndLinesAreWrittenAsPng() throws Exception {
        Map<String, Double> a = Charts.ordered();
        a.put("target-only", 1.0);
        a.put("adaptive", 2.6);
        Map<String, Double> b = Charts.ordered();
        b.put("target-only", 1.0);
        b.put("adaptive", 1.2);
        Map<String, Map<String, Double>> bars = Charts.ordered();
        bars.put("high-acceptance", a);
        bars.put("adversarial", b);
        Path barsPng = Charts.bars(dir.resolve("bars.png"), "t", "x target-only", bars);

        Map<Double, Double> line = Charts.ordered();
        line.put(1.0, 36.0);
        line.put(4.0, 83.0);
        line.put(16.0, 132.0);
        Path linesPng = Charts.lines(dir.resolve("lines.png"), "t", "C", "tokens/s", Map.of("target-only", line));

        for (Path png : new Path[] {barsPng, linesPng}) {
            assertTrue(Files.size(png) > 1000, png + " is too small to hold a chart");
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(1000, image.getWidth());
            assertEquals(560, image.getHeight());
        }
    }

    @Test
    void scatterIsWrittenAsPngAndSvg() throws Exception {
        Map<String, java.util.List<double[]>> series = Charts.ordered();
        series.put("52M", java.util.List.of(new double[] {1.2, 1.1}, new double[] {2.0, 1.8}));
        series.put("empty", java.util.List.of());
        Path png = Charts.scatter(dir.resolve("fit.png"), "t", "predicted", "measured", series, true);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1000, image.getWidth());
        String svg = Files.readString(dir.resolve("fit.svg"));
        assertTrue(svg.contains("<svg"), "an SVG document");
    }
}
