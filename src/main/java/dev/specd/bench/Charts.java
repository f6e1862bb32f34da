package dev.specd.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The benchmarks' plots, written as PNG and SVG next to their CSV and JSON (XChart, headless). */
final class Charts {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;

    static {
        System.setProperty("java.awt.headless", "true"); // benchmarks run on servers without a display
    }

    private Charts() {
    }

    /**
     * Grouped bars: one group per category (e.g. a configuration), one bar per series (e.g. a
     * workload) in it.
     *
     * @param series series name → category → value, in the order to draw
     */
    static Path bars(Path png, String title, String yAxis, Map<String, Map<String, Double>> series) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yAxis)
                .build();
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Map.Entry<String, Map<String, Double>> s : series.entrySet()) {
            chart.addSeries(s.getKey(), new ArrayList<>(s.getValue().keySet()), new ArrayList<>(s.getValue().values()));
        }
        return save(chart, png);
    }

    /** Lines over a numeric x axis, one per series: series name → x → y. */
    static Path lines(Path png, String title, String xAxis, String yAxis, Map<String, Map<Double, Double>> series)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle(yAxis).build();
        for (Map.Entry<String, Map<Double, Double>> s : series.entrySet()) {
            List<Double> x = new ArrayList<>(s.getValue().keySet());
            List<Double> y = new ArrayList<>(s.getValue().values());
            chart.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        return save(chart, png);
    }

    /**
     * Points without lines, one marker colour per series: series name → its (x, y) points. For
     * Pareto plots, where each configuration is one point and families are series; {@code diagonal}
     * adds the line y = x (predicted against measured).
     */
    static Path scatter(Path png, String title, String xAxis, String yAxis, Map<String, List<double[]>> series)
            throws IOException {
        return scatter(png, title, xAxis, yAxis, series, false);
    }

    static Path scatter(Path png, String title, String xAxis, String yAxis, Map<String, List<double[]>> series,
                        boolean diagonal) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle(yAxis).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(9);
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            if (s.getValue().isEmpty()) continue;
            double[] x = s.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = s.getValue().stream().mapToDouble(p -> p[1]).toArray();
            chart.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            for (int i = 0; i < x.length; i++) {
                lo = Math.min(lo, Math.min(x[i], y[i]));
                hi = Math.max(hi, Math.max(x[i], y[i]));
            }
        }
        if (diagonal && lo <= hi) {
            chart.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi})
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        }
        return save(chart, png);
    }

    /** An ordered map builder for series, so callers read as data. */
    static <K, V> Map<K, V> ordered() {
        return new LinkedHashMap<>();
    }

    /** Writes {@code png} and, beside it, the same chart as SVG (scalable, diffable in docs). */
    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path png) throws IOException {
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        String name = png.getFileName().toString().replaceFirst("\\.png$", "");
        try (OutputStream out = Files.newOutputStream(png.resolveSibling(name + ".svg"))) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        return png;
    }
}
