package dev.convnet;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: command line → the run's orchestration and the benchmark → training,
 * figures and serving (which do not know each other) → the results they share → the model → the
 * data → the settings' common exception.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.convnet");

  @Test
  @DisplayName("no two packages import each other, directly or through others")
  void noPackageCycles() {
    slices().matching("dev.convnet.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  @DisplayName("each layer imports only the layers below it")
  void layersPointDown() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("dev.convnet.cli..")
        .layer("run")
        .definedBy("dev.convnet.run..")
        .layer("bench")
        .definedBy("dev.convnet.bench..")
        .layer("train")
        .definedBy("dev.convnet.train..")
        .layer("viz")
        .definedBy("dev.convnet.viz..")
        .layer("serve")
        .definedBy("dev.convnet.serve..")
        .layer("results")
        .definedBy("dev.convnet.results..")
        .layer("model")
        .definedBy("dev.convnet.model..")
        .layer("data")
        .definedBy("dev.convnet.data..")
        .layer("common")
        .definedBy("dev.convnet.common..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("run")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("bench")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("train")
        .mayOnlyBeAccessedByLayers("run", "bench", "cli")
        .whereLayer("viz")
        .mayOnlyBeAccessedByLayers("run", "cli")
        .whereLayer("serve")
        .mayOnlyBeAccessedByLayers("run", "bench", "cli")
        .whereLayer("results")
        .mayOnlyBeAccessedByLayers("train", "viz", "serve", "run", "bench", "cli")
        .whereLayer("model")
        .mayOnlyBeAccessedByLayers("results", "train", "viz", "serve", "run", "bench", "cli")
        .whereLayer("data")
        .mayOnlyBeAccessedByLayers(
            "model", "results", "train", "viz", "serve", "run", "bench", "cli")
        .check(MAIN);
  }
}
