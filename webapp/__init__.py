"""The web app (`golden-record serve`): customer lookup and the data steward's workbench on the gold layer."""
