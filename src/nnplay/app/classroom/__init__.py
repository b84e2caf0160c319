"""Class mode in the app: the nickname bar, the Class tab, and the hooks the labs call."""
