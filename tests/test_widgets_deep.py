"""Headless tests of the chapter 9 and 10 explorers (rmtbook.widgets.deep)."""

from __future__ import annotations


import numpy as np
import pytest

from rmtbook import conjugate_kernel_coefficients, second_moment
from rmtbook.widgets import Explorer
from rmtbook.widgets.deep import (
    curse_of_depth_explorer,
    modified_activation,
    ntk_dynamics_explorer,
)


def _line(ax, start):
    return [ln for ln in ax.get_lines() if ln.get_label().startswith(start)][0]


def test_modified_activation_is_centred_and_normalized():
    xi = np.random.default_rng(0).standard_normal(400_000)
    phi = modified_activation("relu", center=True, normalize=True)
    # Monte Carlo means: standard error ~ 1/sqrt(4e5) ~ 0.0016 (x 3 for a safe bound)
    assert abs(phi(xi).mean()) < 0.005
    assert abs((phi(xi) ** 2).mean() - 1.0) < 0.01
    with pytest.raises(ValueError, match="activation"):
        modified_activation("nope")


def test_curse_of_depth_default_and_updates():
    ex = curse_of_depth_explorer()
    assert isinstance(ex, Explorer) and len(ex.figure.axes) == 2
    _, b = _line(ex.figure.axes[0], r"$B_\ell").get_data()
    nu = second_moment("tanh")
    coef = conjugate_kernel_coefficients([modified_activation("tanh", normalize=True)] * 20, 200)
    np.testing.assert_allclose(b, coef.B / coef.diagonal())
    heights_before = [p.get_height() for p in ex.figure.axes[1].patches]
    ex.update(depth=15)
    heights_after = [p.get_height() for p in ex.figure.axes[1].patches]
    assert heights_before != heights_after
    assert "depth 15" in ex.figure.axes[1].get_title()
    ex.update(activation="relu", normalize=False)
    _, a = _line(ex.figure.axes[0], r"$A_\ell").get_data()
    assert a[-1] > 0.9  # ReLU's mean term takes over the diagonal
    assert "outlier" in ex.figure.axes[1].get_title()
    assert nu > 0


def test_ntk_explorer_width_reduces_kernel_motion():
    ex = ntk_dynamics_explorer(width=64, steps=100)
    moved_small = float(ex.figure.axes[1].get_title().split("by ")[1].split("%")[0])
    ex.update(width=1024)
    moved_large = float(ex.figure.axes[1].get_title().split("by ")[1].split("%")[0])
    # relative NTK motion ~ 1/d (at least d^{-1/2}): 16x the width, 4x-16x less motion
    assert moved_large < moved_small / 2.5
    x, y = _line(ex.figure.axes[0], "train, NTK").get_data()
    assert y[-1] < y[0] / 10  # training error decreases


def test_redraw_at_the_largest_settings():
    # redraw speed is measured by benchmarks/bench_widgets.py, never asserted in tests
    ex = curse_of_depth_explorer()
    ex.update(depth=10)
    ex2 = ntk_dynamics_explorer()
    ex2.update(steps=200, width=256)
    assert ex2.values["steps"] == 200 and ex.values["depth"] == 10
