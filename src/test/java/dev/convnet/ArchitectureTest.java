package dev.convnet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: command line → the public API → the run's orchestration and the
 * benchmark → training, figures and the server (which do not know each other) → the SavedModel
 * (export, warm-up, loading: what training and the server share) → the results they share → the
 * model → the data → the settings' common exception.
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
        .layer("api")
        .definedBy("dev.convnet.api..")
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
        .layer("savedmodel")
        .definedBy("dev.convnet.savedmodel..")
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
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("run")
        .mayOnlyBeAccessedByLayers("api", "cli")
        .whereLayer("bench")
        .mayOnlyBeAccessedByLayers("api", "cli")
        .whereLayer("train")
        .mayOnlyBeAccessedByLayers("run", "bench", "api", "cli")
        .whereLayer("viz")
        .mayOnlyBeAccessedByLayers("run", "api", "cli")
        .whereLayer("serve")
        .mayOnlyBeAccessedByLayers("bench", "api", "cli")
        .whereLayer("savedmodel")
        .mayOnlyBeAccessedByLayers("serve", "run", "bench", "api", "cli")
        .whereLayer("results")
        .mayOnlyBeAccessedByLayers(
            "train", "viz", "savedmodel", "serve", "run", "bench", "api", "cli")
        .whereLayer("model")
        .mayOnlyBeAccessedByLayers(
            "results", "train", "viz", "savedmodel", "serve", "run", "bench", "api", "cli")
        .whereLayer("data")
        .mayOnlyBeAccessedByLayers(
            "model", "results", "train", "viz", "savedmodel", "serve", "run", "bench", "api", "cli")
        .check(MAIN);
  }

  /**
   * The project's types a caller of the API meets: the API package's own, the settings' exception,
   * and the top-level types its public methods take, return or throw (with their nested types:
   * {@code TrainConfig.Precision} with {@code TrainConfig}).
   */
  static Set<String> apiTypes(JavaClasses classes) {
    Set<String> types = new TreeSet<>();
    for (JavaClass api : classes) {
      if (!api.getPackageName().equals("dev.convnet.api")
          || !api.getModifiers().contains(JavaModifier.PUBLIC)) {
        continue;
      }
      types.add(topLevel(api).getName());
      for (JavaCodeUnit member : api.getCodeUnits()) {
        if (!member.getModifiers().contains(JavaModifier.PUBLIC)) {
          continue;
        }
        List<JavaClass> named = new ArrayList<>();
        member.getParameterTypes().forEach(t -> named.addAll(t.getAllInvolvedRawTypes()));
        named.addAll(member.getReturnType().getAllInvolvedRawTypes());
        member.getThrowsClause().getTypes().forEach(named::add);
        for (JavaClass type : named) {
          if (type.getPackageName().startsWith("dev.convnet")) {
            types.add(topLevel(type).getName());
          }
        }
      }
    }
    // A record handed out exposes its components (RunResult's RunRecord, Config's limits).
    Deque<String> open = new ArrayDeque<>(types);
    while (!open.isEmpty()) {
      JavaClass type = classes.get(open.pop());
      for (JavaClass inner : withNested(type, classes)) {
        if (!inner.isRecord()) {
          continue;
        }
        for (JavaField component : inner.getFields()) {
          if (component.getModifiers().contains(JavaModifier.STATIC)) {
            continue;
          }
          for (JavaClass t : component.getType().getAllInvolvedRawTypes()) {
            String name = topLevel(t).getName();
            if (t.getPackageName().startsWith("dev.convnet") && types.add(name)) {
              open.push(name);
            }
          }
        }
      }
    }
    return types;
  }

  /** {@code type} and the types declared inside it, at any depth. */
  private static List<JavaClass> withNested(JavaClass type, JavaClasses classes) {
    List<JavaClass> all = new ArrayList<>();
    for (JavaClass c : classes) {
      if (topLevel(c).equals(type)) {
        all.add(c);
      }
    }
    return all;
  }

  private static JavaClass topLevel(JavaClass type) {
    JavaClass top = type.isArray() ? type.getBaseComponentType() : type;
    while (top.getEnclosingClass().isPresent()) {
      top = top.getEnclosingClass().get();
    }
    return top;
  }

  @Test
  @DisplayName("the command line reaches the project only through the public API")
  void commandLineUsesOnlyTheApi() {
    Set<String> api = apiTypes(MAIN);
    DescribedPredicate<JavaClass> outsideTheApi =
        new DescribedPredicate<>("a project type outside the public API " + api) {
          @Override
          public boolean test(JavaClass type) {
            JavaClass top = topLevel(type);
            return top.getPackageName().startsWith("dev.convnet")
                && !top.getPackageName().equals("dev.convnet.cli")
                && !top.getPackageName().equals("dev.convnet.common")
                && !api.contains(top.getName());
          }
        };
    noClasses()
        .that()
        .resideInAPackage("dev.convnet.cli..")
        .should()
        .dependOnClassesThat(outsideTheApi)
        .check(MAIN);
    // The rule bites: the data folder's reader, the graph and the server stay behind the API.
    assertFalse(api.contains("dev.convnet.data.OwnData"), api.toString());
    assertFalse(api.contains("dev.convnet.train.TrainingGraph"), api.toString());
    assertFalse(api.contains("dev.convnet.serve.ModelVersions"), api.toString());
  }
}
