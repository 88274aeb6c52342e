"""Package marker: lets setuptools ship catalogue/ as greendiag._data_catalogue."""
