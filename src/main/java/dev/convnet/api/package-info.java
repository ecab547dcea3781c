/**
 * The public API of convnet-java: what a Java program, and this project's own command line, uses.
 *
 * <ul>
 *   <li>{@link dev.convnet.api.Classifier}: load a SavedModel (this project's, or any with the same
 *       signatures) and classify image files, image bytes, a {@code BufferedImage} or pixels;
 *       thread-safe and {@code AutoCloseable}.
 *   <li>{@link dev.convnet.api.Data}: where images come from: Fashion-MNIST, a folder of class
 *       folders, an IDX set or a run's {@code split.json}; chosen once, here.
 *   <li>{@link dev.convnet.api.Training}: train a network on that data with a recipe and overrides,
 *       into a run directory, or resume one; returns the run's result.
 *   <li>{@link dev.convnet.api.Runs}: evaluate a SavedModel and redraw a run's figures and report.
 *   <li>{@link dev.convnet.api.Serving}: TensorFlow Serving's REST API over a SavedModel or a base
 *       path of numbered versions.
 *   <li>{@link dev.convnet.api.Measurements}: the benchmark, the exercises and the recipes race.
 * </ul>
 *
 * <p>The settings are records with withers: {@link dev.convnet.train.TrainConfig} (the recipes:
 * {@code TrainConfig.DEFAULT}, {@code BEST}, {@code FAST}, {@code NOTEBOOK}) and {@link
 * dev.convnet.model.ModelConfig} (the network of the notebook's In [2]). To build a variant network
 * of your own, use the notebook's helpers in {@link dev.convnet.model.Layers} and the graph of
 * {@link dev.convnet.model.ConvNet}.
 *
 * <p>Bad input is refused with {@link java.lang.IllegalArgumentException} (its subclass {@link
 * dev.convnet.common.InvalidSettingException} names the refused setting), whose message is the one
 * line the command line prints; nothing already on disk is changed.
 */
package dev.convnet.api;
