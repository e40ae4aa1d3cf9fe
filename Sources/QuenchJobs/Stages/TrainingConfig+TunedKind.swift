import QuenchGate
import QuenchTrain

extension TrainingConfig.Method {
    /// What training with this method writes, so evaluation and the gate read it as such: LoRA
    /// writes an adapter, full fine-tuning a whole model.
    var tunedKind: TunedModelKind {
        switch self {
        case .lora: return .adapter
        case .full: return .model
        }
    }
}
