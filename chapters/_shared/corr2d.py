def corr2d(X, K):
    """Cross-correlate a (H, W) image with a (kh, kw) kernel; returns
    (H - kh + 1, W - kw + 1).
    """
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(
            f"corr2d takes 2-D arrays, got X of shape {X.shape} and K of "
            f"shape {K.shape}"
        )
    kh, kw = K.shape
    out_h, out_w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"the kernel {K.shape} is larger than the image {X.shape}"
        )
    Y = jnp.zeros((out_h, out_w), dtype=jnp.result_type(X, K))
    for a in range(kh):
        for b in range(kw):
            Y = Y + K[a, b] * X[a : a + out_h, b : b + out_w]
    return Y
