import Foundation

extension EvalRequest {
    /// Every file and model directory the evaluation reads, which nothing it writes may replace.
    var inputs: [URL] {
        var urls = [base] + sets.map(\.file) + tasks.map(\.file)
        switch tuned {
        case .adapter(let directory)?: urls += [directory] + TunedModel.adapterFiles(directory)
        case .model(let location)?: urls.append(location)
        case nil: break
        }
        return urls
    }
}
