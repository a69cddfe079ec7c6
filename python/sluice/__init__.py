"""Sluice for pandas: compile liquidity-rotation rules, run them over DataFrames, get events
and forward-return stats back as DataFrames (docs/python.md).

    import sluice
    rules = sluice.compile("russell breaks 2600 and tga falls then watch alts")
    events = rules.run(df)              # df: DatetimeIndex, one column per series
    table = rules.stats(df, horizons=["30d", "90d"])
"""
from . import _core
from ._data import DataError, LoadReport, SluiceWarning, read_csv
from ._program import CompileError, Diagnostic, Explanation, Program, Stream, compile

__version__ = _core.version()

__all__ = ["compile", "read_csv", "Program", "Stream", "CompileError", "Diagnostic", "DataError",
           "Explanation", "LoadReport", "SluiceWarning", "__version__"]
