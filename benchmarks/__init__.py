"""`make bench`: measurements that print tables. Not part of the test suite."""
