package dev.convnet.bench;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where a step's time goes: each op type's share of the traced op time. TensorFlow reports every
 * op's start and end relative to the step; their sum by the type in the timeline label ("name =
 * Type(...)") is the profile.
 */
public final class OpProfile {
  /** Shares under this are noise and left out. */
  static final double SMALLEST_SHARE = 0.001;

  private final Map<String, Long> micros = new LinkedHashMap<>();
  private long total;

  /** Adds one traced step. */
  public void add(RunMetadata trace) {
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        add(opType(node.getTimelineLabel(), node.getNodeName()), node.getAllEndRelMicros());
      }
    }
  }

  /** Adds {@code time} microseconds of op type {@code type}. */
  void add(String type, long time) {
    micros.merge(type, time, Long::sum);
    total += time;
  }

  /** Each type's share of the total, largest first, rounded to 4 places, without noise. */
  public Map<String, Double> shares() {
    Map<String, Double> shares = new LinkedHashMap<>();
    long sum = Math.max(1, total);
    micros.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .filter(e -> e.getValue() >= SMALLEST_SHARE * sum)
        .forEach(e -> shares.put(e.getKey(), Math.round(e.getValue() * 1e4 / sum) / 1e4));
    return shares;
  }

  /** "conv/MaxPool = MaxPool(...)" gives "MaxPool"; the node name when there is no label. */
  static String opType(String label, String nodeName) {
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq >= 0 && paren > eq) {
      return label.substring(eq + 3, paren).trim();
    }
    return nodeName;
  }
}
