/// Namespace marker for the QuenchHub module; replaced as the module grows.
public enum QuenchHubModule {}
