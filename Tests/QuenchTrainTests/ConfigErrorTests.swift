import Testing
@testable import QuenchTrain
@testable import QuenchConfig

/// Every problem `load` finds, with its exact place and key.
@Suite("Training configuration: errors")
struct ConfigErrorTests {
    /// The problems of `yaml`, or a recorded issue when it loads.
    func problems(_ yaml: String) -> [ConfigProblem] {
        do {
            _ = try TrainingConfig.load(yaml: yaml, file: "cfg.yaml")
            Issue.record("expected \(yaml) to be rejected")
        } catch TrainingConfigError.file(.invalid(let file, let problems)) {
            #expect(file == "cfg.yaml")
            return problems
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return []
    }

    func problem(_ line: Int, _ column: Int, _ key: String, _ kind: ConfigProblem.Kind) -> ConfigProblem {
        ConfigProblem(file: "cfg.yaml", line: line, column: column, key: key, kind: kind)
    }

    @Test func textWhereANumberBelongs() {
        let found = problems("data:\n  train: t.jsonl\noptimizer:\n  learning_rate: fast\n")
        #expect(found == [problem(4, 18, "optimizer.learning_rate", .wrongType(expected: "a number", found: "'fast'"))])
        #expect(found.first?.description
                == "cfg.yaml:4:18: key 'optimizer.learning_rate': expected a number, found 'fast'")
    }

    @Test func listWhereAMappingBelongs() {
        let found = problems("data:\n  train: t.jsonl\noptimizer: [1, 2]\n")
        #expect(found == [problem(3, 12, "optimizer", .wrongType(expected: "a mapping of keys", found: "a list"))])
    }

    @Test func wrongTypesOfEveryShape() {
        let yaml = """
            data:
              train: {path: t.jsonl}
              format: yaml
              sequences: bfd
            method: lora
            batch_size: 2.5
            optimizer:
              exempt_norms_and_biases: maybe
              betas: 0.9
            lora:
              targets: [q, [k]]
            seed:
            """
        #expect(problems(yaml) == [
            problem(2, 10, "data.train", .wrongType(expected: "a path", found: "a mapping")),
            problem(3, 11, "data.format",
                    .wrongType(expected: "one of 'text', 'prompt_completion', 'chat'", found: "'yaml'")),
            problem(4, 14, "data.sequences", .wrongType(expected: "one of 'truncate', 'pack'", found: "'bfd'")),
            problem(6, 13, "batch_size", .wrongType(expected: "an integer", found: "'2.5'")),
            problem(8, 28, "optimizer.exempt_norms_and_biases",
                    .wrongType(expected: "true or false", found: "'maybe'")),
            problem(9, 10, "optimizer.betas", .wrongType(expected: "a list of two numbers", found: "'0.9'")),
            problem(11, 16, "lora.targets", .wrongType(expected: "a layer name", found: "a list")),
            problem(12, 6, "seed", .wrongType(expected: "an integer", found: "null")),
        ])
    }

    @Test func missingTrainingData() {
        #expect(problems("data:\n  validation: v.jsonl\n") == [problem(2, 3, "data.train", .missing)])
        #expect(problems("seed: 1\n") == [problem(1, 1, "data.train", .missing)])
        #expect(problems("") == [problem(1, 1, "data.train", .missing)])
        #expect(problems("- data\n") == [problem(1, 1, "", .wrongType(expected: "a mapping of keys", found: "a list"))])
    }

    @Test func impossibleValues() {
        let yaml = """
            data:
              train: t.jsonl
              validation_split: 1.0
              max_sequence_length: 1
            lora:
              rank: 0
              dropout: 1
              targets: [q, qq, q]
            optimizer:
              learning_rate: -1e-4
              betas: [0.9, 0.99, 0.999]
            schedule:
              warmup_steps: 500
              min_lr_ratio: 2
            batch_size: 0
            max_steps: 100
            """
        let known = "must be a layer LoRA can adapt (llama: q, k, v, o, gate, up, down; gpt2: qkv, o, fc, proj)"
        #expect(problems(yaml) == [
            problem(3, 21, "data.validation_split",
                    .invalidValue(requirement: "must be at least 0 and less than 1", found: "1.0")),
            problem(4, 24, "data.max_sequence_length",
                    .invalidValue(requirement: "must be between 2 and 16777216", found: "1")),
            problem(6, 9, "lora.rank", .invalidValue(requirement: "must be between 1 and 65536", found: "0")),
            problem(7, 12, "lora.dropout", .invalidValue(requirement: "must be at least 0 and less than 1", found: "1")),
            problem(8, 16, "lora.targets", .invalidValue(requirement: known, found: "'qq'")),
            problem(8, 20, "lora.targets", .invalidValue(requirement: "must not repeat a layer", found: "'q' twice")),
            problem(10, 18, "optimizer.learning_rate",
                    .invalidValue(requirement: "must be greater than 0", found: "-1e-4")),
            problem(11, 10, "optimizer.betas",
                    .invalidValue(requirement: "must hold exactly two numbers (β1, β2)", found: "3")),
            problem(13, 17, "schedule.warmup_steps",
                    .invalidValue(requirement: "must not exceed max_steps (100)", found: "500")),
            problem(14, 17, "schedule.min_lr_ratio", .invalidValue(requirement: "must be between 0 and 1", found: "2")),
            problem(15, 13, "batch_size", .invalidValue(requirement: "must be between 1 and 65536", found: "0")),
        ])
    }

    @Test func conflictingKeys() {
        let yaml = "data:\n  train: t\n  validation: v\n  validation_split: 0.1\nmax_steps: 10\nepochs: 2\n"
        let found = problems(yaml)
        #expect(found == [
            problem(4, 21, "data.validation_split", .conflict(with: "data.validation")),
            problem(6, 9, "epochs", .conflict(with: "max_steps")),
        ])
        #expect(found.last?.description
                == "cfg.yaml:6:9: key 'epochs': cannot be combined with 'max_steps'; give only one of them")
    }

    @Test func misspelledKeysGetSuggestions() {
        let yaml = """
            data:
              train: t.jsonl
              maxSequenceLength: 128
            optimizer:
              learnin_rate: 1e-4
            schedule:
              warmup: 5
            learning_rate: 1e-4
            colour: blue
            """
        let found = problems(yaml)
        let rootKeys = TrainingConfig.CodingKeys.allCases.map(\.rawValue)
        #expect(found == [
            problem(3, 3, "data.maxSequenceLength",
                    .unknownKey(suggestion: "max_sequence_length", known: TrainingConfig.schema["data"] ?? [])),
            problem(5, 3, "optimizer.learnin_rate",
                    .unknownKey(suggestion: "learning_rate", known: TrainingConfig.schema["optimizer"] ?? [])),
            problem(7, 3, "schedule.warmup",
                    .unknownKey(suggestion: "warmup_steps", known: TrainingConfig.schema["schedule"] ?? [])),
            problem(8, 1, "learning_rate", .unknownKey(suggestion: "optimizer.learning_rate", known: rootKeys)),
            problem(9, 1, "colour", .unknownKey(suggestion: nil, known: rootKeys)),
        ])
        #expect(found[1].description == "cfg.yaml:5:3: key 'optimizer.learnin_rate': unknown key, did you mean 'learning_rate'?")
        #expect(found[4].message.hasPrefix("unknown key; known keys are model, output, method, lora, data"))
    }

    @Test func everyProblemIsReportedAtOnceInFileOrder() {
        let yaml = "seed: -3\nlora:\n  rank: many\nbatch_szie: 2\n"
        let found = problems(yaml)
        #expect(found.map(\.key) == ["data.train", "seed", "lora.rank", "batch_szie"])
        #expect(found.map(\.line) == [1, 1, 3, 4])
        let error = TrainingConfigError.file(.invalid(file: "cfg.yaml", problems: found))
        #expect(error.description.hasPrefix("cfg.yaml: 4 problems in the training configuration:\n"))
        #expect(error.description.contains("  cfg.yaml:4:1: key 'batch_szie': unknown key, did you mean 'batch_size'?"))
    }

    @Test func malformedYAMLIsItsOwnError() {
        for yaml in ["data: [unclosed\n", "data:\n  train: a\n  train: b\n"] {
            let error = #expect(throws: TrainingConfigError.self) {
                try TrainingConfig.load(yaml: yaml, file: "cfg.yaml")
            }
            guard case .file(.malformedYAML(let file, _, _, _))? = error else {
                Issue.record("expected malformedYAML, got \(String(describing: error))")
                continue
            }
            #expect(file == "cfg.yaml")
        }
    }

    @Test func absurdCountsAreRefusedWithTheirKeyAndLine() {
        let found = problems("""
            data:
              train: t.jsonl
              max_sequence_length: 4096
            batch_size: 4611686018427387904
            gradient_accumulation: 9223372036854775807
            max_steps: 9223372036854775807
            lora:
              rank: 1000000000
            """)
        #expect(found.map(\.key) == ["batch_size", "gradient_accumulation", "max_steps", "lora.rank"])
        #expect(found.map(\.line) == [4, 5, 6, 8])
        #expect(found.first?.description.contains("must be between 1 and 65536") == true)
    }

    @Test func aBatchOfTooManyTokensNamesBothSettings() {
        let found = problems("data:\n  train: t.jsonl\n  max_sequence_length: 16777216\nbatch_size: 65536\n")
        #expect(found.map(\.key) == ["batch_size"])
        #expect(found.first?.description.contains("batch_size × data.max_sequence_length") == true)
    }
}

