package dev.outbox.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG line charts of a run over time (XChart), for the README and the results folder. */
final class Charts {

    /** Values per second of a run, one series per name; NaN where a second has no value. */
    record Timeline(String yTitle, boolean logarithmic, Map<String, double[]> series) {

        static Timeline of(String yTitle, boolean logarithmic) {
            return new Timeline(yTitle, logarithmic, new LinkedHashMap<>());
        }

        Timeline with(String name, double[] values) {
            series.put(name, values);
            return this;
        }
    }

    private Charts() {
    }

    /** Stacks the timelines (same x axis, seconds into the run) into one PNG, with vertical marks at events. */
    static void write(Path png, String title, List<Timeline> panels, Map<String, Double> marks) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(1000, 320 * panels.size(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D graphics = image.createGraphics();
        for (int i = 0; i < panels.size(); i++) {
            XYChart chart = chart(i == 0 ? title : null, panels.get(i), marks);
            graphics.translate(0, i == 0 ? 0 : 320);
            chart.paint(graphics, 1000, 320);
        }
        graphics.dispose();
        javax.imageio.ImageIO.write(image, "png", png.toFile());
    }

    private static XYChart chart(String title, Timeline timeline, Map<String, Double> marks) {
        XYChart chart = new XYChartBuilder().width(1000).height(320).title(title == null ? "" : title)
                .xAxisTitle("seconds into the run").yAxisTitle(timeline.yTitle()).build();
        chart.getStyler().setYAxisLogarithmic(timeline.logarithmic());
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setPlotGridLinesVisible(true);
        double max = 1;
        for (var entry : timeline.series().entrySet()) {
            double[] values = entry.getValue();
            double[] x = new double[values.length];
            double[] y = new double[values.length];
            int n = 0;
            for (int s = 0; s < values.length; s++) {
                if (!Double.isNaN(values[s]) && (!timeline.logarithmic() || values[s] > 0)) {
                    x[n] = s;
                    y[n++] = values[s];
                    max = Math.max(max, values[s]);
                }
            }
            if (n == 0) {
                continue;
            }
            XYSeries series = chart.addSeries(entry.getKey(), Arrays.copyOf(x, n), Arrays.copyOf(y, n));
            series.setMarker(SeriesMarkers.NONE);
        }
        for (var mark : marks.entrySet()) {
            XYSeries line = chart.addSeries(mark.getKey(), new double[] {mark.getValue(), mark.getValue()},
                    new double[] {timeline.logarithmic() ? 1 : 0, max});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(java.awt.Color.GRAY);
        }
        return chart;
    }
}
