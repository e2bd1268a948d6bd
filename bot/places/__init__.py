"""Places: the offline city index (GeoNames) that turns what a user types into a time zone."""
