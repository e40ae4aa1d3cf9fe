import QuenchModel
import QuenchTensor

/// What a run trains and how: the whole model (full fine-tuning) or its LoRA adapters, with the
/// gradient buffers and AdamW moments for exactly those tensors.
final class TrainableState {
    let model: CausalLM
    /// The tensors the optimizer updates: the model's parameters, or the adapters' A and B.
    let weights: TensorBlock
    /// Their gradients.
    let gradients: TensorBlock
    /// What the model's backward pass accumulates into: every parameter, or none (LoRA).
    let modelGradients: ParameterGradients
    let optimizer: AdamW
    let adapters: LoRAAdapters?

    init(model: CausalLM, config: TrainingConfig) throws {
        self.model = model
        let settings = AdamW.Settings(
            beta1: Float(config.optimizer.betas[0]), beta2: Float(config.optimizer.betas[1]),
            epsilon: Float(config.optimizer.epsilon), weightDecay: Float(config.optimizer.weightDecay))
        switch config.method {
        case .full:
            adapters = nil
            modelGradients = try ParameterGradients(model: model)
            weights = model.parameters
            gradients = modelGradients.block
            let exempt = config.optimizer.exemptNormsAndBiases
            optimizer = try AdamW(parameters: weights, settings: settings) { name in
                !(exempt && (name.hasSuffix("norm") || name.hasSuffix("_bias") || name.hasSuffix("norm_bias")))
            }
        case .lora:
            let lora = try config.lora.adapters(on: model, seed: UInt64(config.seed))
            model.adapters = lora
            adapters = lora
            modelGradients = try ParameterGradients(model: model, trainable: [])
            weights = lora.weights
            gradients = lora.gradients
            optimizer = try AdamW(parameters: weights, settings: settings)
        }
    }
}
