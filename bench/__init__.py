"""`make bench`: each module here measures one part and prints its figures."""
