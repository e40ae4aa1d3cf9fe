/// Namespace marker for the QuenchGovernance module; replaced as the module grows.
public enum QuenchGovernanceModule {}
