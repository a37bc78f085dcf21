"""Pure numerical code for recommendations: arrays and dataframes in, arrays out; never Django."""
