/// Namespace marker for the QuenchEval module; replaced as the module grows.
public enum QuenchEvalModule {}
