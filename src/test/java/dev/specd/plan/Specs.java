package dev.specd.plan;

/** Small YAML specs for the tests: a target-only base that each test extends with one section. */
final class Specs {

    static final String FILE = "t.yaml";

    static final String TARGET = """
            id: t
            target:
              model: {file: target.gguf, sha256: %s}
              context: 4096
              sequences: 4
            """.formatted("a".repeat(64));

    static final String SMALL_DRAFTER = """
            drafters:
              - type: model
                model: {file: small.gguf}
            """;

    private Specs() {
    }

    static PipelineSpec parse(String yaml) {
        return PipelineSpecParser.parse(yaml, FILE);
    }

    static ExecutionPlan compile(String yaml) {
        return PipelineCompiler.compile(parse(yaml));
    }
}
