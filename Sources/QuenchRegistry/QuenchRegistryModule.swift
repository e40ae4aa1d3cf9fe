/// Namespace marker for the QuenchRegistry module; replaced as the module grows.
public enum QuenchRegistryModule {}
