"""nn.init (filled in by the nn-core work)."""
