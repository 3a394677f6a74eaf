"""Headless tests of the chapter-2 explorer (rmtbook.widgets.stieltjes)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rmtbook.laws import semicircle
from rmtbook.widgets import Explorer
from rmtbook.widgets.stieltjes import draw_stieltjes, smoothed_density, stieltjes_explorer


def _lines(ex):
    return {line.get_label(): np.asarray(line.get_ydata()) for line in ex.figure.axes[0].get_lines()}


def test_default_view_and_update():
    ex = stieltjes_explorer()
    assert isinstance(ex, Explorer)
    before = _lines(ex)
    assert len(before) == 3
    emp_key = next(k for k in before if "m_n" in k)
    law_key = next(k for k in before if "smoothed" in k)
    x = np.linspace(-2.6, 2.6, 1500)
    # the smoothed-law curve is Im m(x + i eta)/pi at the default eta = 0.05
    assert_allclose(before[law_key], semicircle(1.0).stieltjes(x + 0.05j).imag / np.pi)
    # at eta = 0.05, n = 400 (n eta = 20) the empirical curve follows the smoothed law:
    # fluctuation O(1/(n eta)) relative
    assert np.max(np.abs(before[emp_key] - before[law_key])) < 0.1
    ex.update(eta=0.002)
    after = _lines(ex)
    emp_key2 = next(k for k in after if "m_n" in k)
    law_key2 = next(k for k in after if "smoothed" in k)
    # at n eta = 0.8 (eta of the order of the eigenvalue spacing ~ 1/n) the curve resolves
    # individual eigenvalues and no longer follows the law
    assert np.max(np.abs(after[emp_key2] - after[law_key2])) > 0.3
    ex.update(n=100)
    assert "n = 100" in next(k for k in _lines(ex) if "m_n" in k)
    assert len(ex.png()) > 1000


def test_smoothed_density_integrates_to_one_and_validates():
    eigs = np.array([-1.0, 0.0, 2.0])
    x = np.linspace(-400, 400, 400001)
    f = smoothed_density(eigs, x, 0.1)
    assert np.sum(f) * (x[1] - x[0]) == pytest.approx(1.0, abs=1e-3)  # Cauchy tails: O(eta/400)
    with pytest.raises(ValueError, match="eta"):
        smoothed_density(eigs, x, 0.0)
    with pytest.raises(ValueError, match="eta"):
        draw_stieltjes(stieltjes_explorer().figure, eta=5.0)
    with pytest.raises(ValueError, match="n"):
        draw_stieltjes(stieltjes_explorer().figure, n=5)
