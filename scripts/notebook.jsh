// The tutorial "Convolutional Neural Network" on Fashion-MNIST, cell by cell, in TensorFlow Java.
// scripts/notebook runs it in JShell (--interactive leaves you at the jshell> prompt afterwards,
// --until N stops after cell In [N], --iterations N shortens the training of In [44] and In [46]).

import java.nio.file.Path;

void cell(int number, String what) {
  System.out.println();
  System.out.println("In [" + number + "]: " + what);
}

long notebookIterations = Long.getLong("notebook.iterations", 2_100);
Path figuresDir = Path.of(System.getProperty("notebook.figures", "notebook-figures"));
boolean interactive = Boolean.getBoolean("notebook.interactive");

// In [1]
cell(1, "the imports: TensorFlow Java, and the project's classes for each part of the notebook");
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingProgress;
import dev.convnet.viz.NamedTensors;
import dev.convnet.viz.NotebookFigures;
System.out.println("TensorFlow " + TensorFlow.version());

// In [2]
cell(2, "the network's configuration: two convolutional layers and one fully-connected layer");
int filterSize1 = 5; // Convolution filters are 5 x 5 pixels.
int numFilters1 = 16; // There are 16 of these filters.
int filterSize2 = 5;
int numFilters2 = 36;
int fcSize = 128; // Number of neurons in the fully-connected layer.
// (JShell ends a statement at a line that completes it: chained calls end their lines with a dot.)
ModelConfig config = ModelConfig.notebook().
    withFilterSize1(filterSize1).withNumFilters1(numFilters1).
    withFilterSize2(filterSize2).withNumFilters2(numFilters2).
    withFcSize(fcSize);
System.out.println(config.describe());

// In [3]
cell(3, "load Fashion-MNIST: 60,000 training and 10,000 test images");
FashionMnist.Data data = FashionMnist.load((Path) null);
System.out.printf("x_train shape: (%d, %d, %d) y_train shape: (%d,)%n",
    data.train().size(), data.train().imageSize(), data.train().imageSize(), data.train().size());

// In [4]
cell(4, "the data's dimensions");
int imgSize = data.train().imageSize();
int imgSizeFlat = data.train().pixelsPerImage();
int numClasses = (int) java.util.Arrays.stream(data.train().classCounts()).filter(n -> n > 0).count();
int numChannels = ModelConfig.NUM_CHANNELS;
System.out.printf("img_size %d, img_size_flat %d, num_classes %d, num_channels %d%n",
    imgSize, imgSizeFlat, numClasses, numChannels);

// In [5]
cell(5, "the sizes of the sets, and the label of training image 5");
System.out.println(data.train().size() + " train set");
System.out.println(data.test().size() + " test set");
int imgIndex = 5;
int labelIndex = data.train().label(imgIndex);
System.out.println("y = " + labelIndex + " " + FashionMnist.LABELS.get(labelIndex));

// In [6]
cell(6, "the first 5,000 training images become the validation set; images flat, labels one-hot");
Split split = Split.of(data, 5_000);
System.out.printf("x_train shape: (%d, %d) y_train shape: (%d, %d)%n",
    split.train().size(), imgSizeFlat, split.train().size(), numClasses);
System.out.println(split.train().size() + " train set");
System.out.println(split.validation().size() + " validation set");
System.out.println(split.test().size() + " test set");

// In [7]
cell(7, "new_weights is Layers.newWeights: a variable from a truncated normal (σ 0.05)");
Graph scratch = new Graph();
Ops scratchOps = Ops.create(scratch);
Layers helpers = new Layers(scratchOps, 42);
System.out.println("newWeights(5, 5, 1, 16) -> " + helpers.newWeights(5, 5, 1, 16).shape());

// In [8]
cell(8, "new_biases is Layers.newBiases: a variable of 0.05s");
System.out.println("newBiases(16) -> " + helpers.newBiases(16).shape());

// In [9]
cell(9, "new_conv_layer is Layers.newConvLayer: convolution, biases, ReLU and 2x2 max-pooling");
Placeholder<TFloat32> scratchImages =
    scratchOps.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
Layers.ConvLayer scratchConv = helpers.newConvLayer(scratchImages, 1, 5, 16, true);
System.out.println("newConvLayer(images, 1, 5, 16, true) -> " + scratchConv.layer().shape());

// In [10]
cell(10, "flatten_layer is Layers.flattenLayer: [images, 14, 14, 16] to [images, 3136]");
Layers.FlatLayer scratchFlat = helpers.flattenLayer(scratchConv.layer());
System.out.println("flattenLayer -> " + scratchFlat.layer().shape() + ", " + scratchFlat.numFeatures() + " features");

// In [11]
cell(11, "new_fc_layer is Layers.newFcLayer: input times weights plus biases, ReLU or not");
System.out.println("newFcLayer(flat, 3136, 128, true) -> "
    + helpers.newFcLayer(scratchFlat.layer(), scratchFlat.numFeatures(), 128, true).shape());
scratch.close();

// In [12]
cell(12, "the graph: ConvNet builds In [12]-[35]; x is the placeholder for the flat images");
ConvNet net = new ConvNet(config, 42);
Placeholder<TFloat32> x = net.x;
System.out.println("x: " + x.shape());

// In [13]
cell(13, "x_image: the same images as [images, 28, 28, 1]");
Operand<TFloat32> xImage = net.xImage;
System.out.println("x_image: " + xImage.shape());

// In [14]
cell(14, "y_true: the placeholder for the one-hot labels");
Placeholder<TFloat32> yTrue = net.yTrue;
System.out.println("y_true: " + yTrue.shape());

// In [15]
cell(15, "y_true_cls: the true class numbers, argmax of y_true");
Operand<TInt64> yTrueCls = net.yTrueCls;
System.out.println("y_true_cls: " + yTrueCls.shape());

// In [16]
cell(16, "the first convolutional layer and its weights");
Operand<TFloat32> layerConv1 = net.layerConv1;
Variable<TFloat32> weightsConv1 = net.weightsConv1;

// In [17]
cell(17, "layer_conv1 is [?, 14, 14, 16]");
System.out.println("layer_conv1: " + layerConv1.shape());

// In [18]
cell(18, "the second convolutional layer, on the first one's 16 channels");
Operand<TFloat32> layerConv2 = net.layerConv2;
Variable<TFloat32> weightsConv2 = net.weightsConv2;

// In [19]
cell(19, "layer_conv2 is [?, 7, 7, 36]");
System.out.println("layer_conv2: " + layerConv2.shape());

// In [20]
cell(20, "flatten layer_conv2 for the fully-connected layers");
Operand<TFloat32> layerFlat = net.layerFlat;
long numFeatures = net.numFeatures;

// In [21]
cell(21, "layer_flat is [?, 1764]");
System.out.println("layer_flat: " + layerFlat.shape());

// In [22]
cell(22, "num_features = 7 x 7 x 36");
System.out.println("num_features: " + numFeatures);

// In [23]
cell(23, "the fully-connected layer of 128 neurons, with ReLU");
Operand<TFloat32> layerFc1 = net.layerFc1;

// In [24]
cell(24, "layer_fc1 is [?, 128]");
System.out.println("layer_fc1: " + layerFc1.shape());

// In [25]
cell(25, "the last fully-connected layer: 10 outputs, no ReLU");
Operand<TFloat32> layerFc2 = net.layerFc2;

// In [26]
cell(26, "layer_fc2 is [?, 10]");
System.out.println("layer_fc2: " + layerFc2.shape());

// In [27]
cell(27, "y_pred: softmax of the logits, the probability of each class");
Operand<TFloat32> yPred = net.yPred;

// In [28]
cell(28, "y_pred_cls: the class with the largest probability");
Operand<TInt64> yPredCls = net.yPredCls;

// In [29]
cell(29, "cross_entropy of each image, from the logits");
Operand<TFloat32> crossEntropy = net.crossEntropy;

// In [30]
cell(30, "cost: the mean cross-entropy");
Operand<TFloat32> cost = net.cost;

// In [31]
cell(31, "optimizer: one step of Adam on the cost (the learning rate is fed at each step)");
Op optimizer = net.optimizer;

// In [32]
cell(32, "correct_prediction: whether each predicted class is the true one");
Operand<?> correctPrediction = net.correctPrediction;

// In [33]
cell(33, "accuracy: the fraction of images classified correctly");
Operand<TFloat32> accuracy = net.accuracy;

// In [34]
cell(34, "the session that runs the graph");
Session session = net.session;

// In [35]
cell(35, "initialize every variable");
net.initialize();

// In [36]
cell(36, "train_batch_size = 64");
int trainBatchSize = TrainConfig.NOTEBOOK.batchSize();
System.out.println("train_batch_size: " + trainBatchSize);

// In [37]
cell(37, "random_batch: seeded shuffled batches of the training set (seed 42)");
BatchSource randomBatch = new BatchSource(split.train().size(), trainBatchSize, 42);

// In [38]
cell(38, "random_batch gives this many batches an epoch");
System.out.println(randomBatch.batchesPerEpoch() + " batches of " + trainBatchSize);

// In [39]
cell(39, "optimize(num_iterations): the trainer, with the notebook's rate of 1e-4");
Trainer trainer = new Trainer(net, split, TrainConfig.NOTEBOOK, TrainingProgress.lines(System.out));

// In [40]
cell(40, "plot_example_errors and the other figures write PNG files into " + figuresDir);
NotebookFigures figures = new NotebookFigures(figuresDir, new NamedTensors(session), split.test());

// In [41]
cell(41, "plot_confusion_matrix: drawn with the errors, after the training (In [47])");

// In [42]
cell(42, "print_test_accuracy: the test set classified in batches of " + Evaluation.TEST_BATCH_SIZE);

// In [43]
cell(43, "the accuracy before any training");
trainer.printTestAccuracy(false, false);

// In [44]
cell(44, "one optimization iteration, then 99 more");
long firstIterations = Math.min(100, notebookIterations);
trainer.optimize(firstIterations);

// In [45]
cell(45, "the accuracy after 100 iterations");
trainer.printTestAccuracy(false, false);

// In [46]
cell(46, "more iterations (2,000 in the notebook)");
trainer.optimize(notebookIterations - firstIterations);

// In [47]
cell(47, "the accuracy after the training, the example errors and the confusion matrix");
Evaluation evaluation = trainer.printTestAccuracy(true, true);
System.out.println("In [40]'s figure: " + figures.plotExampleErrors(evaluation));
System.out.println("In [41]'s figure: " + figures.plotConfusionMatrix(evaluation));

// In [48]
cell(48, "plot_conv_weights(weights, input_channel): NotebookFigures.plotConvWeights");

// In [49]
cell(49, "plot_conv_layer(layer, image): NotebookFigures.plotConvLayer");

// In [50]
cell(50, "plot_image(image): NotebookFigures.plotImage");

// In [51]
cell(51, "image1: test image 0");
float[] image1 = split.test().image(0);
System.out.println(figures.plotImage(0));

// In [52]
cell(52, "image2: test image 13");
float[] image2 = split.test().image(13);
System.out.println(figures.plotImage(13));

// In [53]
cell(53, "the first layer's 16 filters");
System.out.println(figures.plotConvWeights(ConvNet.WEIGHTS_CONV1, 0));

// In [54]
cell(54, "layer_conv1 on image1");
System.out.println(figures.plotConvLayer(ConvNet.LAYER_CONV1, 0));

// In [55]
cell(55, "layer_conv1 on image2");
System.out.println(figures.plotConvLayer(ConvNet.LAYER_CONV1, 13));

// In [56]
cell(56, "the second layer's filters for input channel 0");
System.out.println(figures.plotConvWeights(ConvNet.WEIGHTS_CONV2, 0));

// In [57]
cell(57, "the second layer's filters for input channel 1");
System.out.println(figures.plotConvWeights(ConvNet.WEIGHTS_CONV2, 1));

// In [58]
cell(58, "layer_conv2 on image1");
System.out.println(figures.plotConvLayer(ConvNet.LAYER_CONV2, 0));

// In [59]
cell(59, "layer_conv2 on image2");
System.out.println(figures.plotConvLayer(ConvNet.LAYER_CONV2, 13));

// In [60]
cell(60, interactive ? "the session stays open for you to explore; net.close() releases it" : "close the session");
if (!interactive) {
  net.close();
}
