"""The reference side of `similarity-cka_svcca-N-bD` cases (see Sources/scalpel-bench/Similarity.swift).

Linear CKA (google-research representation_similarity Demo.ipynb, feature space) and SVCCA as google/svcca's
tutorial does it (centre, SVD of the neurons × datapoints matrix, keep 99 % of the variance, then
cca_core.get_cca_similarity with epsilon 1e-10), in float64, once in numpy and once ported to PyTorch;
the faster of the two is reported, in datapoints per second.
"""
import numpy as np
import torch


def _numpy_pair(x, y):
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    xc, yc = x - x.mean(0, keepdims=True), y - y.mean(0, keepdims=True)
    cka = np.linalg.norm(xc.T @ yc) ** 2 / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(yc.T @ yc))

    def reduce(acts):  # acts: neurons × datapoints
        c = acts - acts.mean(axis=1, keepdims=True)
        _, s, v = np.linalg.svd(c, full_matrices=False)
        k = int(np.searchsorted(np.cumsum(s ** 2) / np.sum(s ** 2), 0.99) + 1)
        return s[:k, None] * v[:k]

    a, b = reduce(x.T), reduce(y.T)
    nx = a.shape[0]
    cov = np.cov(a, b)
    sxx, sxy, syy = cov[:nx, :nx], cov[:nx, nx:], cov[nx:, nx:]
    xmax, ymax = np.abs(sxx).max(), np.abs(syy).max()
    sxx, syy, sxy = sxx / xmax, syy / ymax, sxy / np.sqrt(xmax * ymax)

    def invsqrt(m):
        w, v = np.linalg.eigh(np.linalg.pinv(m + 1e-10 * np.eye(m.shape[0])))
        return v @ np.diag(np.sqrt(np.maximum(w, 0))) @ v.T

    s = np.abs(np.linalg.svd(invsqrt(sxx) @ sxy @ invsqrt(syy), compute_uv=False))
    return cka, s.mean()


def _torch_pair(x, y):
    x = x.double()
    y = y.double()
    xc, yc = x - x.mean(0, keepdim=True), y - y.mean(0, keepdim=True)
    cka = torch.linalg.norm(xc.T @ yc) ** 2 / (torch.linalg.norm(xc.T @ xc) * torch.linalg.norm(yc.T @ yc))

    def reduce(acts):
        c = acts - acts.mean(dim=1, keepdim=True)
        _, s, v = torch.linalg.svd(c, full_matrices=False)
        k = int(torch.searchsorted(torch.cumsum(s ** 2, 0) / torch.sum(s ** 2), torch.tensor(0.99, dtype=s.dtype)) + 1)
        return s[:k, None] * v[:k]

    a, b = reduce(x.T), reduce(y.T)
    nx = a.shape[0]
    cov = torch.cov(torch.cat([a, b]))
    sxx, sxy, syy = cov[:nx, :nx], cov[:nx, nx:], cov[nx:, nx:]
    xmax, ymax = sxx.abs().max(), syy.abs().max()
    sxx, syy, sxy = sxx / xmax, syy / ymax, sxy / torch.sqrt(xmax * ymax)

    def invsqrt(m):
        w, v = torch.linalg.eigh(torch.linalg.pinv(m + 1e-10 * torch.eye(m.shape[0], dtype=m.dtype)))
        return v @ torch.diag(torch.sqrt(w.clamp(min=0))) @ v.T

    s = torch.linalg.svdvals(invsqrt(sxx) @ sxy @ invsqrt(syy)).abs()
    return float(cka), float(s.mean())


def similarity_datapoints_per_second(n, d, steps, warmup):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=generator)
    y = x * 0.5 + torch.randn(n, d, generator=generator)
    from pytorch_bench import median_seconds
    return max(n / median_seconds(steps, warmup, run)
               for run in (lambda: _numpy_pair(x.numpy(), y.numpy()), lambda: _torch_pair(x, y)))
