package dev.convnet.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.savedmodel.Warmup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The versions of one model that {@code serve} answers for, as TensorFlow Serving keeps them: one
 * SavedModel (version 1), or a base path of numbered version folders ({@code BASE/1}, {@code
 * BASE/2}, ...), of which the newest is served and newer ones are picked up while serving. A
 * version answers only once loaded and its warm-up requests replayed ({@link Warmup}); the one it
 * replaces finishes the requests it holds before it is closed, so a switch fails no request. A
 * version that cannot load leaves the served one serving, and says why in the status answer.
 */
public final class ModelVersions implements AutoCloseable {
  /** Opens a SavedModel folder (on the device and threads {@code serve} chose). */
  public interface Loader {
    SavedModelClassifier load(Path savedModel);
  }

  /** A version's state, in TensorFlow Serving's words. */
  enum State {
    LOADING,
    AVAILABLE,
    UNLOADING,
    END
  }

  private record Known(State state, String error) {}

  /** A loaded version: requests hold it (shared) while they run; retiring waits for them. */
  static final class Served {
    final long version;
    final SavedModelClassifier model;
    final ModelRuns runs;
    private final boolean owned;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean retired;

    Served(long version, SavedModelClassifier model, ModelRuns runs, boolean owned) {
      this.version = version;
      this.model = model;
      this.runs = runs;
      this.owned = owned;
    }

    private boolean enter() {
      lock.readLock().lock();
      if (retired) {
        lock.readLock().unlock();
        return false;
      }
      return true;
    }

    private void leave() {
      lock.readLock().unlock();
    }

    /** Waits for the requests under way, then closes. */
    private void retire() {
      retired = true;
      lock.writeLock().lock();
      try {
        runs.close();
        if (owned) {
          model.close();
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Where the versions come from: one of three kinds. */
  private sealed interface Origin {
    /** How a version's folder is opened. */
    Loader loader();
  }

  /** A model loaded by its owner (tests, the benchmark), served as version 1 and not closed. */
  private record Given() implements Origin {
    @Override
    public Loader loader() {
      return dir -> {
        throw new IllegalStateException("a model given loaded loads no other");
      };
    }
  }

  /** One SavedModel folder, loaded at start as version 1. */
  private record Folder(Loader loader) implements Origin {}

  /** A base path of numbered versions, scanned by {@code poller}. */
  private record Watched(Path base, Loader loader, ScheduledExecutorService poller)
      implements Origin {}

  private final String name;
  private final Origin origin;
  private final boolean batching;
  private final Consumer<String> log;
  private final ServeMetrics metrics;
  private final Map<Long, Known> known = new TreeMap<>();
  private final Map<Long, String> failed = new HashMap<>();
  private volatile Served current;

  private ModelVersions(String name, Origin origin, boolean batching, Consumer<String> log) {
    this.name = name;
    this.origin = origin;
    this.batching = batching;
    this.log = log;
    this.metrics = new ServeMetrics(name);
  }

  /** A model already loaded, as version 1 (closed by its owner, not here). */
  public static ModelVersions of(String name, SavedModelClassifier model, boolean batching) {
    ModelVersions versions = new ModelVersions(name, new Given(), batching, line -> {});
    versions.serve(new Served(1, model, versions.runs(model), false), 0);
    return versions;
  }

  /** One SavedModel folder as version 1, loaded and warmed up now. */
  public static ModelVersions single(
      String name, Path savedModel, Loader loader, boolean batching, Consumer<String> log) {
    ModelVersions versions = new ModelVersions(name, new Folder(loader), batching, log);
    versions.load(1, savedModel, true); // a broken model is refused at start, as it is
    return versions;
  }

  /**
   * A base path of numbered versions: the newest loaded in the background at once, then the folder
   * looked at again every {@code poll} (zero: never) for a newer one.
   */
  public static ModelVersions watch(
      String name,
      Path base,
      Loader loader,
      boolean batching,
      Duration poll,
      Consumer<String> log) {
    ScheduledExecutorService poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "convnet-versions");
              t.setDaemon(true);
              return t;
            });
    ModelVersions versions =
        new ModelVersions(name, new Watched(base, loader, poller), batching, log);
    if (poll.isZero()) {
      poller.execute(() -> versions.scan(base));
    } else {
      poller.scheduleWithFixedDelay(
          () -> versions.scan(base), 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }
    return versions;
  }

  /** Whether {@code dir} is a base path of versions rather than one SavedModel. */
  public static boolean isBasePath(Path dir) {
    return Files.isDirectory(dir) && !Files.exists(dir.resolve(ModelExport.SAVED_MODEL_FILE));
  }

  String name() {
    return name;
  }

  ServeMetrics metrics() {
    return metrics;
  }

  /** Whether a version answers. */
  boolean ready() {
    return current != null;
  }

  /**
   * {@code work} on the served version, or on {@code version} when given; the version is held until
   * {@code work} returns. 404 as TensorFlow Serving answers when no such version serves.
   */
  <T> T run(OptionalLong version, Function<Served, T> work) {
    while (true) {
      Served served = current;
      if (served == null || version.isPresent() && version.getAsLong() != served.version) {
        throw ServingApi.servableNotFound(name, version);
      }
      if (served.enter()) {
        try {
          return work.apply(served);
        } finally {
          served.leave();
        }
      } // retired between the read and the hold: take the version that replaced it
    }
  }

  /** {@code GET /v1/models/NAME[/versions/N]}: each version known, newest first, and its state. */
  synchronized JsonObject status(OptionalLong version) {
    JsonArray versions = new JsonArray();
    for (Map.Entry<Long, Known> e : ((TreeMap<Long, Known>) known).descendingMap().entrySet()) {
      if (version.isPresent() && version.getAsLong() != e.getKey()) {
        continue;
      }
      JsonObject status = new JsonObject();
      status.addProperty("error_code", e.getValue().error().isEmpty() ? "OK" : "UNKNOWN");
      status.addProperty("error_message", e.getValue().error());
      JsonObject one = new JsonObject();
      one.addProperty("version", Long.toString(e.getKey()));
      one.addProperty("state", e.getValue().state().name());
      one.add("status", status);
      versions.add(one);
    }
    if (versions.isEmpty() && version.isPresent()) {
      throw new ServingApi.ApiException(
          404, "Could not find version " + version.getAsLong() + " of model " + name);
    }
    JsonObject answer = new JsonObject();
    answer.add("model_version_status", versions);
    return answer;
  }

  /** Looks at {@code base}: loads its newest version if it is newer than the served one. */
  void scan(Path base) {
    try {
      Map.Entry<Long, Path> newest = ModelExport.versionFolders(base).lastEntry();
      Served served = current;
      if (newest == null || served != null && newest.getKey() <= served.version) {
        return; // nothing newer: the folder's files are not read
      }
      long version = newest.getKey();
      String stamp = stamp(newest.getValue());
      if (!stamp.equals(failed.get(version))) {
        load(version, newest.getValue(), false);
        if (current == null || current.version != version) {
          failed.put(version, stamp); // tried again once the folder changes
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.accept("serve: cannot read " + base + " (" + e.getMessage() + ")");
    } catch (RuntimeException e) {
      log.accept("serve: " + e.getMessage());
    }
  }

  /** Whether {@code base} holds at least one numbered version folder. */
  public static boolean holdsVersions(Path base) {
    try {
      return !ModelExport.versionFolders(base).isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** What a version folder holds now, so a failed one is tried again only once it changes. */
  private static String stamp(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(
              f -> {
                try {
                  return f + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f);
                } catch (IOException e) {
                  return f.toString();
                }
              })
          .sorted()
          .reduce("", String::concat);
    }
  }

  /**
   * Loads, warms up and serves {@code version} from {@code dir}; on failure, says why, or with
   * {@code rethrow} throws what went wrong.
   */
  private void load(long version, Path dir, boolean rethrow) {
    setState(version, State.LOADING, "");
    long start = System.nanoTime();
    SavedModelClassifier model = null;
    ModelRuns runs = null;
    try {
      model = origin.loader().load(dir);
      runs = runs(model);
      int warmed = warmUp(dir, runs);
      Served served = new Served(version, model, runs, true);
      serve(served, (System.nanoTime() - start) / 1e9);
      log.accept(
          String.format(
              "Serving version %d of %s from %s (%d warm-up requests, %.1f s)",
              version, name, dir, warmed, (System.nanoTime() - start) / 1e9));
    } catch (RuntimeException e) {
      if (runs != null) {
        runs.close();
      }
      if (model != null) {
        model.close();
      }
      if (rethrow) {
        throw e;
      }
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      setState(version, State.END, why);
      Served still = current;
      log.accept(
          "serve: version "
              + version
              + " of "
              + name
              + " did not load ("
              + why
              + ")"
              + (still == null ? "" : "; still serving version " + still.version));
    }
  }

  private void serve(Served served, double seconds) {
    Served old = current;
    current = served;
    setState(served.version, State.AVAILABLE, "");
    metrics.loaded(served.version, seconds);
    if (old != null) {
      setState(old.version, State.UNLOADING, "");
      old.retire();
      setState(old.version, State.END, "");
    }
  }

  private synchronized void setState(long version, State state, String error) {
    known.put(version, new Known(state, error));
  }

  /** Runs of {@code model} as configured, each run counted in the metrics. */
  private ModelRuns runs(SavedModelClassifier model) {
    ModelRuns.Predictor counted =
        (images, n) -> {
          metrics.batch(n);
          return model.predict(images, n);
        };
    return batching
        ? new Batcher(counted, Runtime.getRuntime().availableProcessors())
        : ModelRuns.exact(counted);
  }

  /** Replays the version's warm-up requests before it answers; how many there were. */
  private static int warmUp(Path dir, ModelRuns runs) {
    int count = 0;
    for (Warmup.Request request : Warmup.read(dir)) {
      runs.predict(request.instances().pixels("warm-up file"), request.n());
      count++;
    }
    return count;
  }

  @Override
  public void close() {
    if (origin instanceof Watched watched) {
      ScheduledExecutorService poller = watched.poller();
      poller.shutdownNow();
      try {
        poller.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Served served = current;
    current = null;
    if (served != null) {
      served.retire();
    }
  }
}
