"""newsarchive's test suite: real servers, real crawls, real databases (see conftest.py)."""
