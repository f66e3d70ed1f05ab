// Date fields of every page (portal and back-office): filled in by the date-field work of issue 9.
