"""Units (单位) in the tiered tree of city, county, township and village."""
