"""Small column builders shared by the generators (nullable ids, JSON-ready text)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray


def optional_ids(values: NDArray[np.int64]) -> pd.arrays.IntegerArray:
    """A nullable ``Int64`` column from ids where 0 means "no link"."""
    values = np.asarray(values, dtype=np.int64)
    return pd.arrays.IntegerArray(values, values == 0)


def categorical(codes: NDArray[np.integer], categories: Sequence[str]) -> pd.Categorical:
    """A categorical column from integer codes (-1: missing); cheap at 10 million rows."""
    dtype = pd.CategoricalDtype(list(categories))
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), dtype=dtype)


def no_ids(n: int) -> pd.arrays.IntegerArray:
    """A nullable ``Int64`` column of ``n`` missing ids (filled in later)."""
    return optional_ids(np.zeros(n, dtype=np.int64))
