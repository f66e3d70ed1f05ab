"""Demo and benchmark data: the demo members and accounts of `flask demo-data` (`load`), and the
synthetic data set of `flask bench-data` (`synthetic`). They call the services as a user would;
no use case lives here."""
