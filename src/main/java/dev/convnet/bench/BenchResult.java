package dev.convnet.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.results.Json;
import dev.convnet.results.Machine;
import java.util.Map;

/**
 * What {@code bench} measured, as {@code bench --json} writes it (snake_case keys; a figure that
 * was not asked for is left out). Filled in by {@link Benchmark} as it measures.
 */
public final class BenchResult {
  String precision;
  Integer towers;
  Boolean explicitBackward;
  Long trainImagesPerSecondB64;
  Double stepMsP50;
  Double stepMsP95;
  Long trainImagesPerSecondB256;
  Long evalImagesPerSecond;
  Long rssMbBeforeLongWindow;
  Long rssMbAfterLongWindow;
  Long longWindowSteps;
  Map<String, Double> profile;
  Long peakRssMb;
  Double startToFirstStepS;
  int cores;
  String cpuModel;
  Map<String, Boolean> cpuFeatures;
  boolean onednn;
  String tensorflowVersion;
  String javaVersion;
  String commit;
  String date;
  ServeFigures serve;

  BenchResult(Machine machine, String precision) {
    this.precision = precision;
    cores = machine.cpu().cores();
    cpuModel = machine.cpu().model();
    cpuFeatures = machine.cpu().features();
    onednn = machine.onednn();
    tensorflowVersion = machine.tensorflow();
    javaVersion = machine.javaVersion();
    commit = machine.commit();
    date = machine.date();
  }

  /** The JSON object, without the figures that were not measured. */
  public JsonObject toJson() {
    JsonObject all = Json.GSON.toJsonTree(this).getAsJsonObject();
    JsonObject measured = new JsonObject();
    for (Map.Entry<String, JsonElement> e : all.entrySet()) {
      if (!e.getValue().isJsonNull()) {
        measured.add(e.getKey(), e.getValue());
      }
    }
    return measured;
  }

  /**
   * What {@code bench --serve} measured: single-image requests at several client counts, images/s
   * at 64 images a request, and the server's memory.
   *
   * @param singleImage one row per client count and batching
   * @param batchOf64 one row per input format and batching
   * @param rssMegabytesAfter the resident memory of {@code serve} after the load (defaults)
   * @param peakRssMegabytes its peak resident memory
   */
  public record ServeFigures(
      java.util.List<LoadRow> singleImage,
      java.util.List<BatchRow> batchOf64,
      long rssMegabytesAfter,
      long peakRssMegabytes) {}

  /**
   * Images/s with 64 images a request from 8 clients.
   *
   * @param format "json" (784 numbers an image) or "b64" (PNG files for serving_images)
   * @param batching whether the server shared runs of the model between requests
   * @param imagesPerSecond images answered per second
   * @param inProcessImagesPerSecond the same model evaluating in process right after, as evaluate
   *     runs it
   */
  public record BatchRow(
      String format, boolean batching, long imagesPerSecond, long inProcessImagesPerSecond) {}

  /**
   * One load level.
   *
   * @param clients concurrent clients, each sending one request after the other
   * @param batching whether the server combined concurrent requests into one run of the model
   * @param requestsPerSecond answered requests per second
   * @param p50Ms median latency
   * @param p99Ms 99th percentile latency
   */
  public record LoadRow(
      int clients, boolean batching, long requestsPerSecond, double p50Ms, double p99Ms) {}
}
