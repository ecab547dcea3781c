package dev.convnet.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What {@code serve} has done, for Prometheus to scrape at {@link #PATH}: requests by signature and
 * status, their latency, the images in each run of the model, and each version's load time (what
 * TensorFlow Serving's users ask it for, per signature).
 */
final class ServeMetrics {
  /** Where TensorFlow Serving's own Prometheus endpoint is. */
  static final String PATH = "/monitoring/prometheus/metrics";

  /** A request that never reached a signature (a malformed body, say). */
  static final String NO_SIGNATURE = "";

  private final String model;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final Counter requests =
      Counter.builder()
          .name("serve_requests_total")
          .help("Predict requests answered, by signature and HTTP status code")
          .labelNames("model", "signature", "code")
          .register(registry);

  private final Histogram latency =
      Histogram.builder()
          .name("serve_request_duration_seconds")
          .help("Time from a predict request's whole body to its answer, by signature")
          .labelNames("model", "signature")
          .classicOnly()
          .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5)
          .register(registry);

  private final Histogram batches =
      Histogram.builder()
          .name("serve_batch_images")
          .help("Images in each run of the model (several requests share one with batching)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
          .register(registry);

  private final Gauge loads =
      Gauge.builder()
          .name("serve_version_load_seconds")
          .help("Seconds to load each version and replay its warm-up requests")
          .labelNames("model", "version")
          .register(registry);

  ServeMetrics(String model) {
    this.model = model;
  }

  void request(String signature, int code, double seconds) {
    requests.labelValues(model, signature, Integer.toString(code)).inc();
    if (code == 200) {
      latency.labelValues(model, signature).observe(seconds);
    }
  }

  void batch(int images) {
    batches.labelValues(model).observe(images);
  }

  void loaded(long version, double seconds) {
    loads.labelValues(model, Long.toString(version)).set(seconds);
  }

  /** The metrics in Prometheus' text format. */
  byte[] text() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
