def count_parameters(module):
    """Return the number of entries in all of a Flax module's parameters."""
    return sum(p.size for p in jax.tree.leaves(nnx.state(module, nnx.Param)))
