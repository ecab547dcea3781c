package dev.convnet.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The exercises' networks, built with the same helpers as the notebook's: more convolutional layers
 * of layer 2's kind (exercise 7), more hidden fully-connected layers, dropout after fc1 (exercise
 * 5), other pooling, pooling before the activation, sigmoid, a ReLU on the logits (exercises 6, 9,
 * 10, 11). The notebook's own network is {@link ConvNet#notebookLayers}.
 */
final class NetworkVariants {
  private NetworkVariants() {}

  /**
   * In [16]-[25] for {@code config}, on {@code xImage}, with the variables {@code layers} makes.
   */
  static ConvNet.Network network(
      Layers layers, Operand<TFloat32> xImage, ModelConfig config, Operand<TFloat32> dropoutRate) {
    List<Layers.ConvLayer> conv = new ArrayList<>();
    Operand<TFloat32> input = xImage;
    int channels = ModelConfig.NUM_CHANNELS;
    for (int i = 0; i < config.convLayers(); i++) {
      int filterSize = i == 0 ? config.filterSize1() : config.filterSize2();
      int numFilters = i == 0 ? config.numFilters1() : config.numFilters2();
      Layers.ConvLayer layer = layers.newConvLayer(input, channels, filterSize, numFilters, config);
      conv.add(layer);
      input = layer.layer();
      channels = numFilters;
    }
    Layers.FlatLayer flat = layers.flattenLayer(input);
    Operand<TFloat32> hidden = flat.layer();
    long inputs = flat.numFeatures();
    Operand<TFloat32> fc1 = null;
    for (int i = 0; i < config.fcLayers(); i++) {
      hidden = layers.newFcLayer(hidden, inputs, config.fcSize(), config.activation());
      if (i == 0) {
        fc1 = hidden;
        if (config.dropout() > 0) {
          hidden = layers.dropout(hidden, dropoutRate);
        }
      }
      inputs = config.fcSize();
    }
    Operand<TFloat32> logits =
        layers.newFcLayer(hidden, inputs, config.numClasses(), config.reluLast());
    return new ConvNet.Network(conv, flat, fc1, logits);
  }
}
