/// Namespace marker for the QuenchDispatch module; replaced as the module grows.
public enum QuenchDispatchModule {}
