"""Package marker: lets setuptools ship rules/ as greendiag._data_rules."""
