package dev.specd;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Dependencies point one way: api → sched → runtime → plan → draft / sampling → engine (SPI) ←
 * engine.llamacpp. Inside runtime: the observation ports (runtime.observe) → the generation core
 * (runtime) → the adaptive side (runtime.adaptive), never back. Only the composition root (app) and the tools (bench, forge, models) may know
 * the llama.cpp backend; metrics and energy observe runtime (metrics also see plan's SpeculationMode,
 * which labels the telemetry).
 */
class ArchitectureTest {

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.specd");
    }

    @Test
    void layersDependOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("api").definedBy("dev.specd.api..")
                .layer("sched").definedBy("dev.specd.sched..")
                .layer("runtime").definedBy("dev.specd.runtime")
                .layer("adaptive").definedBy("dev.specd.runtime.adaptive..")
                .layer("observe").definedBy("dev.specd.runtime.observe..")
                .layer("plan").definedBy("dev.specd.plan..")
                .layer("draft").definedBy("dev.specd.draft..")
                .layer("sampling").definedBy("dev.specd.sampling..")
                .layer("constrain").definedBy("dev.specd.constrain..")
                .layer("engine").definedBy("dev.specd.engine")
                .layer("llamacpp").definedBy("dev.specd.engine.llamacpp..")
                .layer("metrics").definedBy("dev.specd.metrics..")
                .layer("energy").definedBy("dev.specd.energy..")
                .layer("models").definedBy("dev.specd.models..")
                .layer("forge").definedBy("dev.specd.forge..")
                .layer("bench").definedBy("dev.specd.bench..")
                .layer("app").definedBy("dev.specd.app..")
                .whereLayer("app").mayNotBeAccessedByAnyLayer()
                .whereLayer("bench").mayOnlyBeAccessedByLayers("app")
                .whereLayer("api").mayOnlyBeAccessedByLayers("app")
                .whereLayer("sched").mayOnlyBeAccessedByLayers("api", "app", "bench", "metrics")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("sched", "api", "app", "bench", "metrics", "observe")
                // The adaptive side decides from profiles and costs; it knows neither generations nor observers.
                .whereLayer("adaptive").mayOnlyBeAccessedByLayers("runtime", "observe", "sched", "api", "app", "bench",
                        "metrics")
                .whereLayer("observe").mayOnlyBeAccessedByLayers("sched", "app", "bench", "metrics", "energy")
                .whereLayer("plan").mayOnlyBeAccessedByLayers("runtime", "adaptive", "observe", "sched", "api", "app", "bench",
                        "models", "metrics")
                .whereLayer("draft").mayOnlyBeAccessedByLayers("plan", "runtime", "adaptive", "sched", "app", "bench")
                .whereLayer("sampling").mayOnlyBeAccessedByLayers("draft", "plan", "runtime", "adaptive", "sched", "api", "app",
                        "bench")
                .layer("chat").definedBy("dev.specd.chat..")
                .whereLayer("chat").mayOnlyBeAccessedByLayers("api", "app", "bench")
                .whereLayer("constrain").mayOnlyBeAccessedByLayers("draft", "runtime", "sched", "api", "app", "bench", "chat")
                .whereLayer("llamacpp").mayOnlyBeAccessedByLayers("app", "bench")
                .whereLayer("models").mayOnlyBeAccessedByLayers("app", "bench")
                .whereLayer("forge").mayOnlyBeAccessedByLayers("app", "bench")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("app", "api")
                .whereLayer("energy").mayOnlyBeAccessedByLayers("app", "api", "metrics", "bench")
                .check(classes);
    }

    @Test
    void theEngineSpiKnowsNoImplementation() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideInAPackage("dev.specd.engine")
                .should().dependOnClassesThat().resideInAnyPackage("dev.specd.engine.llamacpp..", "dev.specd.api..",
                        "dev.specd.sched..", "dev.specd.runtime..", "dev.specd.plan..", "dev.specd.sampling..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.specd.(*)..").should().beFreeOfCycles().check(classes);
    }
}
